// A per-client token bucket: each client (remote address) may make `burst` requests at once and
// regains `perMinute` a minute. The table of clients is bounded: when it is full the client seen
// least recently is forgotten, so a flood from many addresses costs a fixed amount of memory.

export interface RateLimiter {
  /** 0 when the request may go ahead, else the seconds until it may. */
  take(client: string): number
}

export function createRateLimiter(o: {
  perMinute: number
  burst?: number
  now: () => number
  maxClients?: number
}): RateLimiter {
  const burst = o.burst ?? o.perMinute
  const maxClients = o.maxClients ?? 10_000
  const perMs = o.perMinute / 60_000
  const buckets = new Map<string, { tokens: number; at: number }>()
  return {
    take(client) {
      const now = o.now()
      const b = buckets.get(client) ?? { tokens: burst, at: now }
      buckets.delete(client)
      b.tokens = Math.min(burst, b.tokens + (now - b.at) * perMs)
      b.at = now
      buckets.set(client, b)
      if (buckets.size > maxClients) buckets.delete(buckets.keys().next().value as string)
      if (b.tokens >= 1) {
        b.tokens -= 1
        return 0
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000))
    },
  }
}
