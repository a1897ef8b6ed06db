// The browser side of the loopback bridge, injected into index.html by the headless host:
// it gives the page the same `window.api` the Electron preload exposes.
//
// The launch secret never goes into a cookie: cookies are scoped by host, not port, so every
// other service on 127.0.0.1 would receive it (RFC 6265 §8.5). The page takes the secret from
// its first URL, keeps it in sessionStorage (scoped to this origin, port included, and this tab)
// and removes it from the address bar; each API call and the event stream send it as a header.
import { EVENT_NAMES } from '../../shared/channels'

export const SECRET_HEADER = 'x-jit-mapper-secret'

export const BRIDGE_SCRIPT = `(() => {
  const KEY = 'jit-mapper-secret';
  const params = new URLSearchParams(location.search);
  const offered = params.get('secret');
  if (offered) {
    sessionStorage.setItem(KEY, offered);
    params.delete('secret');
    const rest = params.toString();
    history.replaceState(history.state, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
  }
  const secret = () => sessionStorage.getItem(KEY) || '';
  const listeners = new Map();
  const names = new Set(${JSON.stringify(EVENT_NAMES)});
  const dispatch = (block) => {
    let name = 'message';
    let data = '';
    for (const line of block.split('\\n')) {
      if (line.startsWith('event: ')) name = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (!data || !names.has(name)) return;
    const payload = JSON.parse(data);
    for (const cb of listeners.get(name) || []) cb(payload);
  };
  let streaming = false;
  // Server-sent events read with fetch, because EventSource cannot send a header.
  const stream = async () => {
    if (streaming) return;
    streaming = true;
    for (;;) {
      try {
        const r = await fetch('/__events', { headers: { '${SECRET_HEADER}': secret() }, cache: 'no-store' });
        if (r.ok && r.body) {
          const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let at;
            while ((at = buffer.indexOf('\\n\\n')) >= 0) {
              dispatch(buffer.slice(0, at));
              buffer = buffer.slice(at + 2);
            }
          }
        }
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  window.api = {
    invoke(channel, args) {
      return fetch('/__ipc/' + channel, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-jit-mapper': '1', '${SECRET_HEADER}': secret() },
        credentials: 'omit',
        body: JSON.stringify(args === undefined ? {} : args),
      }).then((r) => r.json());
    },
    on(event, cb) {
      stream();
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(cb);
      return () => listeners.get(event).delete(cb);
    },
  };
})();
`
