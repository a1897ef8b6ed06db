// Routes the IdPs' public origins to loopback fakes, so connectors keep their production URLs
// (https://graph.microsoft.com, https://example.okta.com, https://oauth2.googleapis.com …)
// while every byte goes to 127.0.0.1. Any other destination is refused: tests never leave
// the machine.
import type { HttpPort } from '../../src/main/ports'

export function loopbackRouter(routes: Record<string, string>): HttpPort & { routed: string[] } {
  const table = new Map(Object.entries(routes).map(([from, to]) => [new URL(from).origin, new URL(to).origin]))
  const routed: string[] = []
  return {
    routed,
    fetch(url, init) {
      const u = new URL(url)
      const target = table.get(u.origin)
      if (!target) {
        if (u.hostname !== '127.0.0.1')
          return Promise.reject(new Error(`test router: refusing to send a request to ${u.origin}`))
        return fetch(u, init)
      }
      routed.push(`${init?.method ?? 'GET'} ${u.host}${u.pathname}`)
      return fetch(`${target}${u.pathname}${u.search}`, init)
    },
  }
}

/** A sleep that records the waits and returns at once. */
export function recordingSleep(): ((ms: number) => Promise<void>) & { waits: number[] } {
  const waits: number[] = []
  const sleep = Object.assign(
    (ms: number) => {
      waits.push(ms)
      return Promise.resolve()
    },
    { waits },
  )
  return sleep
}
