// How the IdP fakes send change notifications: HTTPS requests to the app's ingress (the fakes trust
// the test CA in place of the publicly trusted certificate Google's push guide requires), retried as each
// IdP documents, every attempt logged, and a way for a test to wait until nothing is in flight.
import https from 'node:https'

export interface Outgoing {
  method: 'GET' | 'POST'
  url: string
  headers: Record<string, string>
  body?: string
}

export interface Delivery {
  request: Outgoing
  /** The answer's status, or 0 when the request failed or timed out. */
  status: number
  body: string
  contentType: string | undefined
  attempt: number
  /** performance.now() when the attempt was sent. */
  sentAt: number
}

export interface RetryPolicy {
  /** Waits before each retry (its length is the number of retries). */
  delaysMs: number[]
  /** Whether an answer (0: no answer) is retried. */
  retryOn(status: number): boolean
  /** An answer slower than this counts as none (Graph 3 s, Okta 3 s). */
  timeoutMs: number
}

export interface NotificationSender {
  /** The CA the ingress's certificate chains to. */
  ca: string | null
  readonly deliveries: Delivery[]
  /** Sends with retries; resolves to the last attempt. Also sends it twice when `duplicates` is set. */
  send(req: Outgoing, policy: RetryPolicy): Promise<Delivery>
  /** Sends once and answers (handshakes: the IdP waits for the answer). */
  once(req: Outgoing, timeoutMs: number): Promise<Delivery>
  /** Every notification is delivered twice (at-least-once delivery, as Graph and Okta warn). */
  duplicates: boolean
  /** Resolves once no notification is in flight. */
  settled(): Promise<void>
}

export function createNotificationSender(): NotificationSender {
  const deliveries: Delivery[] = []
  const inFlight = new Set<Promise<unknown>>()
  const agent = new https.Agent({ keepAlive: true, maxSockets: 16 })
  let sender: NotificationSender

  const attempt = (req: Outgoing, n: number, timeoutMs: number): Promise<Delivery> =>
    new Promise(resolve => {
      const sentAt = performance.now()
      const done = (status: number, body: string, contentType: string | undefined) => {
        const d = { request: req, status, body, contentType, attempt: n, sentAt }
        deliveries.push(d)
        resolve(d)
      }
      const r = https.request(
        req.url,
        { method: req.method, headers: req.headers, ca: sender.ca ?? undefined, agent, timeout: timeoutMs },
        res => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () =>
            done(
              res.statusCode ?? 0,
              Buffer.concat(chunks).toString('utf8'),
              res.headers['content-type'] as string | undefined,
            ),
          )
          res.on('error', () => done(0, '', undefined))
        },
      )
      r.on('timeout', () => r.destroy(new Error('timeout')))
      r.on('error', () => done(0, '', undefined))
      r.end(req.body)
    })

  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p)
    void p.finally(() => inFlight.delete(p))
    return p
  }

  const withRetries = async (req: Outgoing, policy: RetryPolicy): Promise<Delivery> => {
    let d = await attempt(req, 1, policy.timeoutMs)
    for (let i = 0; i < policy.delaysMs.length && (d.status === 0 || policy.retryOn(d.status)); i++) {
      await new Promise(r => setTimeout(r, policy.delaysMs[i]))
      d = await attempt(req, i + 2, policy.timeoutMs)
    }
    return d
  }

  sender = {
    ca: null,
    deliveries,
    duplicates: false,
    send(req, policy) {
      const first = track(withRetries(req, policy))
      if (sender.duplicates) void track(withRetries(req, policy))
      return first
    },
    once: (req, timeoutMs) => track(attempt(req, 1, timeoutMs)),
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight])
    },
  }
  return sender
}
