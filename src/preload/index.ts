// Exposes exactly the contract's API to the renderer: one invoke over the allowed channels and
// change events. ipcRenderer itself never reaches the page.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { CHANNELS, EVENT_NAMES, INVOKE_CHANNEL } from '../shared/channels'

const channels = new Set<string>(CHANNELS)
const events = new Set<string>(EVENT_NAMES)

contextBridge.exposeInMainWorld('api', {
  invoke(channel: string, args: unknown) {
    if (!channels.has(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'NOT_FOUND', message: `Unknown API channel ${channel}.` } })
    }
    return ipcRenderer.invoke(INVOKE_CHANNEL, channel, args)
  },
  on(event: string, listener: (payload: unknown) => void) {
    if (!events.has(event)) throw new Error(`Unknown event ${event}`)
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload)
    ipcRenderer.on(event, wrapped)
    return () => {
      ipcRenderer.removeListener(event, wrapped)
    }
  },
})
