// A simulated Android agent (our own DPC): enrolls with its FCM registration token after the
// user signs in, waits for its FCM wake-up, fetches its commands and answers each one with the
// credential issued at enrollment. Answers that did not get through are kept and sent again
// before the next fetch, so a command is never run twice (its id is the idempotency key).
import https from 'node:https'
import { randomBytes } from 'node:crypto'
import type { FakeFcm } from './fcm'
import { request, type Reply } from './https-client'

export interface AgentCommand {
  id: string
  seq: number
  type: string
  payload: Record<string, unknown>
}

export class AndroidAgent {
  fcmToken = `fcm-${randomBytes(12).toString('hex')}`
  credential: string | null = null
  deviceId: string | null = null
  readonly executed: AgentCommand[] = []
  private readonly unsent: { id: string; status: 'acknowledged' | 'error'; error?: string }[] = []
  private readonly agent: https.Agent

  constructor(readonly o: { serverUrl: string; ca: string; serial: string }) {
    this.agent = new https.Agent({ keepAlive: true, ca: o.ca })
  }

  private call(path: string, method: string, body?: unknown): Promise<Reply> {
    return request(`${this.o.serverUrl}${path}`, {
      method,
      ca: this.o.ca,
      agent: this.agent,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: {
        ...(this.credential ? { authorization: `Bearer ${this.credential}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
    })
  }

  async enroll(user: string): Promise<Reply> {
    const q = new URLSearchParams({ platform: 'android', serial: this.o.serial, pushToken: this.fcmToken })
    const start = await this.call(`/enroll/start?${q}`, 'GET')
    if (start.status !== 302) return start
    const authorize = await request(String(start.headers.location), { ca: this.o.ca, headers: { 'x-test-user': user } })
    if (authorize.status !== 302) return authorize
    const callback = new URL(String(authorize.headers.location))
    const r = await this.call(`${callback.pathname}${callback.search}`, 'GET')
    if (r.status === 200) {
      const body = JSON.parse(r.body) as { deviceId: string; credential: string }
      this.deviceId = body.deviceId
      this.credential = body.credential
    }
    return r
  }

  waitForWake(fcm: FakeFcm) {
    return fcm.nextMessage(this.fcmToken)
  }

  async newToken(): Promise<Reply> {
    this.fcmToken = `fcm-${randomBytes(12).toString('hex')}`
    return this.call('/android/v1/token', 'POST', { fcmToken: this.fcmToken })
  }

  fetch(): Promise<Reply> {
    return this.call('/android/v1/commands', 'GET')
  }

  answer(id: string, status: 'acknowledged' | 'error', error?: string): Promise<Reply> {
    return this.call(`/android/v1/commands/${encodeURIComponent(id)}/answer`, 'POST', {
      status,
      ...(error ? { error } : {}),
    })
  }

  /** Sends answers still owed, fetches, runs each new command once and answers it. */
  async poll(): Promise<AgentCommand[]> {
    while (this.unsent.length > 0) {
      const a = this.unsent[0] as (typeof this.unsent)[number]
      const r = await this.answer(a.id, a.status, a.error)
      if (r.status !== 200) throw new Error(`answer refused: ${r.status} ${r.body}`)
      this.unsent.shift()
    }
    const r = await this.fetch()
    if (r.status !== 200) throw new Error(`fetch refused: ${r.status} ${r.body}`)
    const ran: AgentCommand[] = []
    for (const c of (JSON.parse(r.body) as { commands: AgentCommand[] }).commands) {
      this.executed.push(c)
      ran.push(c)
      this.unsent.push({ id: c.id, status: 'acknowledged' })
      const a = await this.answer(c.id, 'acknowledged')
      if (a.status === 200) this.unsent.pop()
    }
    return ran
  }

  close(): void {
    this.agent.destroy()
  }
}
