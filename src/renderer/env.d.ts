/// <reference types="vite/client" />
import type { Bridge } from '../shared/contract'

declare global {
  interface Window {
    /** Set by the Electron preload, or injected by the headless host in a browser. */
    api: Bridge
  }
}
