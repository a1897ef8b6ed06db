// kill -9 of the app in the middle of delivery, then a restart: every command is delivered
// (run by the device) exactly once and ends acknowledged. The app runs as a child process
// that SIGKILLs itself at a chosen point (test/fakes/crash-child.ts).
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { builtinModules } from 'node:module'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../../src/main/app'
import { AndroidAgent } from '../../fakes/android-agent'
import { testPki } from '../../fakes/pki'
import { seedSmallOrganisation, tempDir, type TestWorkspace } from '../../helpers/workspace'

const bundleDir = tempDir('jit-crash-child-')
let childScript: string

beforeAll(async () => {
  await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      ssr: true,
      outDir: bundleDir.path,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      rollupOptions: {
        input: { child: resolve(import.meta.dirname, '../../fakes/crash-child.ts') },
        external: ['better-sqlite3', ...builtinModules, ...builtinModules.map(m => `node:${m}`)],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
    ssr: { noExternal: true, external: ['better-sqlite3'] },
  })
  childScript = join(bundleDir.path, 'child.cjs')
}, 60_000)
afterAll(() => bundleDir.remove())

interface Running {
  child: ChildProcess
  port: number | null
  exited: Promise<NodeJS.Signals | null>
}

async function startChild(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [childScript], {
    env: { ...process.env, ...env, NODE_PATH: resolve(import.meta.dirname, '../../../node_modules') },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = once(child, 'exit').then(([, signal]) => signal as NodeJS.Signals | null)
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const ready = new Promise<number>(res => lines.on('line', l => l.startsWith('READY ') && res(Number(l.slice(6)))))
  const port = await Promise.race([ready, exited.then(() => null)])
  return { child, port, exited }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

describe('kill -9 in the middle of delivery', () => {
  it.each([
    ['after the outbox handed commands out, before the device got them', 'fetch:after-commit:3'],
    ['after the device ran a command, before its answer was stored', 'ack:before-commit:4'],
    ['after the answer was stored, before the device heard back', 'ack:after-commit:5'],
    ['after a push went out, before it was recorded', 'push:before-record:1'],
  ])(
    'loses nothing and delivers nothing twice when killed %s',
    async (_, crashAt) => {
      const pki = testPki()
      const dir = tempDir()
      const tlsFile = join(dir.path, 'tls.json')
      writeFileSync(tlsFile, JSON.stringify(pki.server))
      const agents: AndroidAgent[] = []
      const commandIds = new Set<string>()
      {
        const app = createApp({ dataDir: join(dir.path, 'ws') })
        seedSmallOrganisation({ app } as TestWorkspace)
        for (let i = 0; i < 6; i++) {
          const r = await app.services.devices.enroll({
            serial: `KILL-${i}`,
            platform: 'android',
            userPrincipalName: i % 2 ? 'alex@example.test' : 'kim@example.test',
            pushToken: `fcm-${i}`,
          })
          const secret = randomBytes(16).toString('base64url')
          app.services.store.outbox.setCredentialHash(r.device.id, sha256(secret))
          // Due for a push again (as after a TokenUpdate), so the child pushes as it starts.
          app.services.store.outbox.rearm(r.device.id, new Date().toISOString())
          r.commands.forEach(c => commandIds.add(c.id))
          const agent = new AndroidAgent({ serverUrl: '', ca: pki.caPem, serial: `KILL-${i}` })
          agent.deviceId = r.device.id
          agent.credential = `${r.device.id}.${secret}`
          agents.push(agent)
        }
        app.close()
      }
      expect(commandIds.size).toBe(12)

      const env = { JIT_DATA: join(dir.path, 'ws'), JIT_TLS: tlsFile }
      let running = await startChild({ ...env, JIT_CRASH_AT: crashAt })
      let kills = 0
      for (let round = 0; round < 10; round++) {
        let interrupted = running.port === null
        let remaining = 0
        if (!interrupted) {
          for (const a of agents) {
            a.o.serverUrl = `https://127.0.0.1:${running.port}`
            try {
              remaining += (await a.poll()).length
            } catch {
              interrupted = true
              break
            }
          }
        }
        if (interrupted) {
          expect(await running.exited).toBe('SIGKILL')
          kills++
          running = await startChild(env)
          continue
        }
        if (remaining === 0) break
      }
      running.child.kill('SIGTERM')
      await running.exited
      agents.forEach(a => a.close())

      expect(kills).toBe(1)
      const ran = agents.flatMap(a => a.executed.map(c => c.id))
      expect(ran.sort()).toEqual([...commandIds].sort())
      const app = createApp({ dataDir: join(dir.path, 'ws') })
      const states = agents.flatMap(a => app.services.store.devices.commands(a.deviceId as string).map(c => c.state))
      app.close()
      dir.remove()
      expect(states).toEqual(Array(12).fill('acknowledged'))
    },
    60_000,
  )
})
