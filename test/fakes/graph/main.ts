// The Graph fake as its own process, for benchmarks: its CPU and memory stay out of the
// measured process. Arguments: users groups seed pageSize membersPerEntry. Prints {"url": …} once listening;
// then reads commands on stdin, one per line, and answers one JSON line each:
//   change <percent>   changes that share of users (department moves) → {"changed": n}
//   prepare <url>      serializes the full round that url starts (preparePages) → {"pages": n}
import { createInterface } from 'node:readline'
import { DirectoryData } from '../directory-data'
import { startGraphFake } from './server'

export const BENCH_TENANT = 'bench.example'
export const BENCH_CLIENT = 'bench-client'
export const BENCH_SECRET = 'bench-secret'

async function main(): Promise<void> {
  const [users = '1000', groups = '20', seed = '1', pageSize = '200', membersPerEntry = '100'] = process.argv.slice(2)
  const data = new DirectoryData({ users: Number(users), groups: Number(groups), seed: Number(seed) })
  const fake = await startGraphFake({
    data,
    tenantId: BENCH_TENANT,
    clientId: BENCH_CLIENT,
    clientSecret: BENCH_SECRET,
    pageSize: Number(pageSize),
    membersPerEntry: Number(membersPerEntry),
  })
  process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`)
  const departments = ['Sales', 'Marketing', 'Engineering', 'Finance']
  let round = 0
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, arg] = line.trim().split(/\s+/)
    if (command === 'change') {
      const list = [...data.users.values()]
      const n = Math.round((list.length * Number(arg)) / 100)
      round++
      for (let i = 0; i < n; i++) {
        const u = list[(i * 97 + round) % list.length]!
        data.updateUser(u.id, { department: departments[(i + round) % departments.length] as string })
      }
      process.stdout.write(`${JSON.stringify({ changed: n })}\n`)
    }
    if (command === 'prepare') process.stdout.write(`${JSON.stringify({ pages: fake.preparePages(arg as string) })}\n`)
  }
  await fake.close()
}

void main()
