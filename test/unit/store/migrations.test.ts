// A landed migration is history: a workspace that ran it keeps what it produced, so its text must
// never change. Each landed migration's SQL is pinned by its SHA-256; a new migration adds its line
// here once it lands (the newest may still be in review unpinned).
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MIGRATIONS } from '../../../src/main/store/migrations'

const LANDED: Record<number, string> = {
  1: '0e93c007fe0bec900e494e52ed3801bc16fbf61e9355d4c46f642a907f354296',
  2: 'c03750f5c166d84dd733b517400462f78b9a855c78fb4d03777b19a4b37c7e83',
  3: 'f8e70a4f998a77202ad7b86c341d5aef17d67f74bcaf1c86865f4bd618b3614a',
  4: 'dd799d658e487191af31ed1828b6f8c067af28a35f36d76262802416ad0353bd',
  5: '90660a0d8b48544716e2ade592968bedde816eca4af42730821f9a7e12a8283a',
  6: '1607baafb33223f2cd33a0ee7d53d68a3165dc6af7eb2385a6a1ff4b331d6108',
  7: 'dafbc1739de1503f9d138ba8ec2337314ab4b8384c6d8e791a0236fe1f74fb7b',
  8: 'a81a0ddc0dcfd43869d9d8abe703ec60768f7cef048294d0a2a7820a937316f5',
  9: '0796b3f5b53240c7f17afe0e0b50c19b410d161d3139deb04c27e054bea257b5',
  10: '7b0a71d02667e48b26e65e9de0a9334259da05d021526536f75abbf1871c2680',
  11: '1c7d1ef7ef27005cde6507ffd07612b7586f99c8261608e448d573258a225236',
  12: 'd9af94a8c3262588db381f3a79d1a1d5adbad6310f35fad212ee7703ec443e6c',
  13: '87849c5883598277526af18d5bc1e5f41a3002b0339fea6fb3b5b9f49492e66e',
  14: '541e405364f6ecf7b275fa93b1862190a5d1fefc4db3e39e949a738f537d1fb4',
  15: '099ae031577599fcb8eea01b5bbae80bdb7a48627fe370e6f9b3062a25819964',
  16: 'fb5dd2aea4289b5df34c4fe165108fc555e1612d5c475f93b33497c8bda073ae',
  17: '1d1ecae7db27d4d0279f96f5d7f2556953c4420a013a7720adc36e5a65eb5dd5',
  18: '4363fbcae407bfa81a453f160816d0b2bb93eed34491019d873475db5dae9451',
  19: '8f053a2166e8525b46520995e3885324335dc5c304cb0190a92fec3fc02477d6',
  20: '677e765618e7f2fb6e61539fbf5d700a14e45da20388f454eddeab993e1be385',
  21: 'f7a1c5af771eadb61ab9c8e8bea15700048358bd9803c8232f853c60ba8368b3',
  22: 'a71c1bd9c1e1403c8a2c331fedf8ceea7cc482ec7c0bae8798e910b58f0b29b1',
  23: 'a10d1da132cc9fc085d7e4d90a64a4f767fde24d084874bf68f966a37d5b9b8d',
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

describe('landed migrations', () => {
  it('are numbered 1, 2, 3 … in order', () => {
    expect(MIGRATIONS.map(m => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1))
  })

  it.each(Object.entries(LANDED))('keeps migration %s byte for byte', (version, hash) => {
    const migration = MIGRATIONS.find(m => m.version === Number(version))
    expect(migration && sha256(migration.sql)).toBe(hash)
  })

  it('pins every migration but the newest', () => {
    const unpinned = MIGRATIONS.slice(0, -1).filter(m => !(m.version in LANDED))
    expect(unpinned.map(m => m.version)).toEqual([])
  })

  it('spell their SQL out: no interpolated constant, which an edit would silently rewrite', () => {
    const source = readFileSync(join(__dirname, '..', '..', '..', 'src', 'main', 'store', 'migrations.ts'), 'utf8')
    expect(source).not.toContain('${')
  })
})
