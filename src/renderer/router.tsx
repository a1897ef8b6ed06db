// Hash navigation without a router library: #/users, #/users/<id>, #/groups/<id>, …
// The hash keeps deep links working under file:// (Electron) and the loopback host alike.
import { useSyncExternalStore, type AnchorHTMLAttributes, type ReactNode } from 'react'

export type Section =
  | 'overview'
  | 'users'
  | 'groups'
  | 'policies'
  | 'apps'
  | 'devices'
  | 'diagnostics'
  | 'directories'
  | 'settings'
  | 'audit'

export type Route =
  | { section: 'overview' }
  | { section: 'users'; id?: string }
  | { section: 'groups'; id?: string }
  | { section: 'policies' }
  | { section: 'apps' }
  | { section: 'devices'; id?: string }
  | { section: 'diagnostics'; userId?: string; groupId?: string }
  | { section: 'directories' }
  | { section: 'settings' }
  | { section: 'audit' }
  | { section: 'notFound'; path: string }

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '')
  const [path = '', search = ''] = raw.split('?', 2)
  const parts = path.split('/').filter(Boolean).map(safeDecode)
  const [head, id] = parts
  if (parts.length > 2) return { section: 'notFound', path }
  switch (head) {
    case undefined:
    case 'overview':
      return id === undefined ? { section: 'overview' } : { section: 'notFound', path }
    case 'users':
    case 'groups':
    case 'devices':
      return id === undefined ? { section: head } : { section: head, id }
    case 'policies':
    case 'apps':
    case 'directories':
    case 'settings':
    case 'audit':
      return id === undefined ? { section: head } : { section: 'notFound', path }
    case 'diagnostics': {
      if (id !== undefined) return { section: 'notFound', path }
      const params = new URLSearchParams(search)
      const route: Route = { section: 'diagnostics' }
      const userId = params.get('user')
      const groupId = params.get('group')
      if (userId) route.userId = userId
      if (groupId) route.groupId = groupId
      return route
    }
    default:
      return { section: 'notFound', path }
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

export const paths = {
  overview: () => '#/',
  users: () => '#/users',
  user: (id: string) => `#/users/${encodeURIComponent(id)}`,
  groups: () => '#/groups',
  group: (id: string) => `#/groups/${encodeURIComponent(id)}`,
  policies: () => '#/policies',
  apps: () => '#/apps',
  devices: () => '#/devices',
  device: (id: string) => `#/devices/${encodeURIComponent(id)}`,
  diagnostics: () => '#/diagnostics',
  explain: (userId: string, groupId?: string) =>
    `#/diagnostics?${new URLSearchParams(groupId ? { user: userId, group: groupId } : { user: userId }).toString()}`,
  directories: () => '#/directories',
  settings: () => '#/settings',
  audit: () => '#/audit',
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange)
  return () => window.removeEventListener('hashchange', onChange)
}

export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash)
}

export function useRoute(): Route {
  return parseHash(useHash())
}

export function navigate(href: string): void {
  window.location.hash = href.replace(/^#/, '')
}

export function Link({
  to,
  children,
  ...rest
}: { to: string; children: ReactNode } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'>) {
  return (
    <a href={to} {...rest}>
      {children}
    </a>
  )
}
