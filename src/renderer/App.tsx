import { useEffect, useRef, type ReactNode } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { subscribeToChanges, workspaceSummaryQuery } from './api'
import { Link, paths, useRoute, type Route, type Section } from './router'
import { OverviewPage } from './pages/OverviewPage'
import { UsersPage } from './pages/UsersPage'
import { UserPage } from './pages/UserPage'
import { GroupsPage } from './pages/GroupsPage'
import { GroupPage } from './pages/GroupPage'
import { PoliciesPage } from './pages/PoliciesPage'
import { AppsPage } from './pages/AppsPage'
import { DevicesPage } from './pages/DevicesPage'
import { DevicePage } from './pages/DevicePage'
import { DiagnosticsPage } from './pages/DiagnosticsPage'
import { DirectoriesPage } from './pages/DirectoriesPage'
import { SettingsPage } from './pages/SettingsPage'
import { AuditPage } from './pages/AuditPage'
import { PageHeader } from './components/ui'

const NAV: { section: Section; label: string; href: string }[] = [
  { section: 'overview', label: 'Overview', href: paths.overview() },
  { section: 'users', label: 'Users', href: paths.users() },
  { section: 'groups', label: 'Groups', href: paths.groups() },
  { section: 'policies', label: 'Policies', href: paths.policies() },
  { section: 'apps', label: 'Apps', href: paths.apps() },
  { section: 'devices', label: 'Devices', href: paths.devices() },
  { section: 'diagnostics', label: 'Diagnostics', href: paths.diagnostics() },
  { section: 'directories', label: 'Directories', href: paths.directories() },
  { section: 'settings', label: 'Settings', href: paths.settings() },
  { section: 'audit', label: 'Audit log', href: paths.audit() },
]

export function App() {
  const queryClient = useQueryClient()
  useEffect(() => subscribeToChanges(queryClient), [queryClient])
  const route = useRoute()

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new page (section or id) starts at the top
  useEffect(() => {
    const label = NAV.find(n => n.section === route.section)?.label
    document.title = label ? `${label} · JIT Mapper` : 'JIT Mapper'
    window.scrollTo(0, 0)
  }, [route.section, 'id' in route ? route.id : undefined])

  const main = useRef<HTMLElement>(null)
  return (
    <div className="app">
      {/* The routes live in the hash, so the skip link is a button that moves focus rather than a #main link. */}
      <button type="button" className="skip-link" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <Sidebar current={route.section} />
      <main className="content" id="main" ref={main} tabIndex={-1}>
        <Page route={route} />
      </main>
    </div>
  )
}

function Sidebar({ current }: { current: Route['section'] }) {
  const summary = useQuery(workspaceSummaryQuery())
  const counts: Partial<Record<Section, ReactNode>> = {}
  if (summary.data) {
    if (summary.data.openDiagnostics > 0) counts.diagnostics = summary.data.openDiagnostics
  }
  return (
    <header className="sidebar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          JIT
        </span>
        <span className="brand-name">JIT Mapper</span>
      </div>
      <nav aria-label="Main">
        <ul>
          {NAV.map(item => (
            <li key={item.section}>
              <Link to={item.href} aria-current={item.section === current ? 'page' : undefined}>
                <span>{item.label}</span>
                {counts[item.section] !== undefined && (
                  <span className="nav-count" aria-hidden="true" title="Open diagnostics">
                    {counts[item.section]}
                  </span>
                )}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <p className="sidebar-foot">Identity-driven device policies</p>
    </header>
  )
}

function Page({ route }: { route: Route }) {
  switch (route.section) {
    case 'overview':
      return <OverviewPage />
    case 'users':
      return route.id === undefined ? <UsersPage /> : <UserPage key={route.id} userId={route.id} />
    case 'groups':
      return route.id === undefined ? <GroupsPage /> : <GroupPage key={route.id} groupId={route.id} />
    case 'policies':
      return <PoliciesPage />
    case 'apps':
      return <AppsPage />
    case 'devices':
      return route.id === undefined ? <DevicesPage /> : <DevicePage key={route.id} deviceId={route.id} />
    case 'diagnostics':
      return <DiagnosticsPage userId={route.userId} groupId={route.groupId} />
    case 'directories':
      return <DirectoriesPage />
    case 'settings':
      return <SettingsPage />
    case 'audit':
      return <AuditPage />
    case 'notFound':
      return (
        <>
          <PageHeader title="Page not found" subtitle={`Nothing lives at “${route.path}”.`} />
          <Link to={paths.overview()}>Back to the overview</Link>
        </>
      )
  }
}
