// The browser side of the loopback bridge, injected into index.html by the headless host:
// it gives the page the same `window.api` the Electron preload exposes. Session auth rides
// on the host's HttpOnly cookie, so the script itself holds no secret.
import { EVENT_NAMES } from '../../shared/channels'

export const BRIDGE_SCRIPT = `(() => {
  const listeners = new Map();
  let source = null;
  const connect = () => {
    if (source) return;
    source = new EventSource('/__events');
    for (const name of ${JSON.stringify(EVENT_NAMES)}) {
      source.addEventListener(name, (e) => {
        const payload = JSON.parse(e.data);
        for (const cb of listeners.get(name) || []) cb(payload);
      });
    }
  };
  window.api = {
    invoke(channel, args) {
      return fetch('/__ipc/' + channel, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-jit-mapper': '1' },
        credentials: 'same-origin',
        body: JSON.stringify(args === undefined ? {} : args),
      }).then((r) => r.json());
    },
    on(event, cb) {
      connect();
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(cb);
      return () => listeners.get(event).delete(cb);
    },
  };
})();
`
