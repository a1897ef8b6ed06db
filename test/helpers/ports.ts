// Loopback ports for tests that must name one before listening (settings saved ahead of a start).
import { once } from 'node:events'
import { createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'

/** A port that was free a moment ago on 127.0.0.1 (the kernel's choice, so collisions are rare). */
export async function freePort(): Promise<number> {
  const s = createServer()
  s.listen(0, '127.0.0.1')
  await once(s, 'listening')
  const { port } = s.address() as AddressInfo
  await new Promise<void>(r => s.close(() => r()))
  return port
}

/** Holds a loopback port as another program would; close() frees it. */
export async function occupyPort(): Promise<{ port: number; server: Server; close(): Promise<void> }> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () => new Promise<void>(r => server.close(() => r())),
  }
}
