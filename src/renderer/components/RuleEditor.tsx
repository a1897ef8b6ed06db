// The Groups page's rule editor: choose a dialect, write a rule with syntax highlighting and
// the parse error marked where it is, see lint warnings and a live preview of who the rule
// would put in the group, and click a user for the clause-by-clause explanation. Saving creates
// the group (or changes its rule); main re-evaluates every user and redeploys their devices.
import { useDeferredValue, useId, useState, type FormEvent, type ReactNode } from 'react'
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query'
import { call, directoriesQuery, errorMessage, ruleCheckQuery, ruleExplainQuery, rulePreviewQuery } from '../api'
import { navigate, paths } from '../router'
import { ClauseNode } from './ExplainMembership'
import { Badge } from './ui'
import { UserPrincipalNameField } from './UserPrincipalNameField'
import type { Dialect, RuleError, RuleToken } from '../../shared/domain'
import { WhatIfView } from './PolicyImpact'
import { Table } from './Table'

const DIALECTS: { value: Dialect; label: string; example: string }[] = [
  { value: 'entra', label: 'Entra ID', example: 'user.department -eq "Sales"' },
  { value: 'okta', label: 'Okta Expression Language', example: 'user.department == "Sales"' },
  { value: 'google', label: 'Google (CEL)', example: "user.organizations.exists(org, org.department == 'Sales')" },
]
const PAGE = 25

export function RuleEditor({
  groupId,
  initialDialect,
  initialRule,
  onSaved,
}: {
  groupId?: string
  initialDialect: Dialect
  initialRule: string
  onSaved?: () => void
}) {
  const [dialect, setDialect] = useState<Dialect>(initialDialect)
  const [text, setText] = useState(initialRule)
  const [name, setName] = useState('')
  // '' reads every directory's users; a directory id, only that directory's.
  const [directoryId, setDirectoryId] = useState('')
  const directories = useQuery({ ...directoriesQuery(), enabled: groupId === undefined })
  const [page, setPage] = useState(0)
  const [selected, setSelected] = useState<string | null>(null)
  const [upn, setUpn] = useState('')
  const deferred = useDeferredValue(text)
  const editorId = useId()
  const check = useQuery({ ...ruleCheckQuery(dialect, deferred), placeholderData: keepPreviousData })
  const parses = check.data !== undefined && check.data.error === null && deferred === text
  const preview = useQuery({
    ...rulePreviewQuery(dialect, deferred, page * PAGE, PAGE, editorId),
    enabled: deferred.trim() !== '',
    placeholderData: keepPreviousData,
  })
  const explain = useQuery({
    ...ruleExplainQuery(dialect, deferred, selected ?? ''),
    enabled: selected !== null && parses,
  })

  // A new group reaches no device yet; changing a rule is an admin change like a target edit:
  // held before anything is saved when it would withdraw policies from too many devices.
  const change = () => ({ kind: 'rule' as const, groupId: groupId ?? '', rule: text, dialect })
  const create = useMutation({
    mutationFn: () => call('groups/create', { name, dialect, rule: text, directoryId: directoryId || null }),
    onSuccess: detail => {
      onSaved?.()
      navigate(paths.group(detail.group.id))
    },
  })
  const apply = useMutation({
    mutationFn: () => call('policies/apply', { change: change() }),
    onSuccess: outcome => {
      if (outcome.status === 'applied') onSaved?.()
    },
  })
  const save = groupId === undefined ? create : apply

  // What saving would do to devices, before it is saved: the same change object, previewed.
  const impact = useMutation({ mutationFn: () => call('policies/whatIf', { change: change() }) })

  // Any user can be explained, not only the ones the preview lists (why is this user out?).
  const findUser = useMutation({
    mutationFn: async (name: string): Promise<string> => {
      const wanted = name.trim().toLowerCase()
      const found = await call('users/list', { query: name.trim(), limit: 50 })
      const user = found.rows.find(u => u.userPrincipalName.toLowerCase() === wanted)
      if (!user) throw new Error(`No user has the user principal name “${name.trim()}”.`)
      return user.id
    },
    onSuccess: setSelected,
  })
  const explainUser = (e: FormEvent) => {
    e.preventDefault()
    findUser.mutate(upn)
  }

  const edit = (next: string) => {
    setText(next)
    setPage(0)
    impact.reset()
    apply.reset()
  }
  const error = check.data?.dialect === dialect ? check.data.error : null
  const tokens = check.data?.dialect === dialect && deferred === text ? check.data.tokens : []

  return (
    <div className="rule-editor" role="group" aria-label="Rule editor">
      <div className="inline-form">
        {groupId === undefined && (
          <label>
            <span className="field-label">Group name</span>
            <input value={name} onChange={e => setName(e.target.value)} placeholder="e.g. Sales (EMEA)" />
          </label>
        )}
        {groupId === undefined && (
          <label>
            <span className="field-label">Reads users of</span>
            <select value={directoryId} onChange={e => setDirectoryId(e.target.value)} aria-label="Reads users of">
              <option value="">Every directory (workspace-wide)</option>
              {(directories.data ?? []).map(d => (
                <option key={d.id} value={d.id}>
                  {d.name} only
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          <span className="field-label">Dialect</span>
          <select
            value={dialect}
            onChange={e => {
              setDialect(e.target.value as Dialect)
              setPage(0)
              impact.reset()
            }}
            aria-label="Dialect"
          >
            {DIALECTS.map(d => (
              <option key={d.value} value={d.value}>
                {d.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="rule-input">
        <pre className="rule-highlight" aria-hidden="true">
          {highlighted(text, tokens, error)}
          {'\n'}
        </pre>
        <textarea
          aria-label="Rule"
          spellCheck={false}
          value={text}
          placeholder={DIALECTS.find(d => d.value === dialect)?.example}
          onChange={e => edit(e.target.value)}
          aria-invalid={error !== null}
          aria-describedby="rule-status"
        />
      </div>
      <div id="rule-status" role="status">
        {error !== null && text.trim() !== '' && <ParseError error={error} />}
        {error === null && check.data !== undefined && text.trim() !== '' && check.data.warnings.length === 0 && (
          <p className="muted small">
            The rule parses; no warnings against {check.data.usersChecked.toLocaleString()} synced users.
          </p>
        )}
        {error === null && (check.data?.warnings.length ?? 0) > 0 && (
          <ul className="rule-warnings" aria-label="Lint warnings">
            {check.data?.warnings.map((w, i) => (
              <li key={i}>
                <Badge tone="warn">{w.code}</Badge>{' '}
                <span className="muted small">
                  line {w.line}, column {w.column}:
                </span>{' '}
                {w.message}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="actions">
        {/* Not disabled while saving: a disabled button drops the keyboard user's focus to the page. */}
        <button
          type="button"
          className="primary"
          disabled={!parses || (groupId === undefined && name.trim() === '')}
          aria-busy={save.isPending}
          onClick={() => {
            if (!save.isPending) save.mutate()
          }}
        >
          {groupId === undefined ? 'Create group' : 'Save rule'}
        </button>
        {groupId !== undefined && (
          <button disabled={!parses || impact.isPending} onClick={() => impact.mutate()}>
            Preview impact
          </button>
        )}
        {save.isError && (
          <span className="error-text" role="alert">
            {errorMessage(save.error)}
          </span>
        )}
        {impact.isError && (
          <span className="error-text" role="alert">
            {errorMessage(impact.error)}
          </span>
        )}
        {apply.data?.status === 'applied' && (
          <span className="muted small" role="status">
            Saved; memberships re-evaluated and devices redeployed.
          </span>
        )}
        {apply.data?.status === 'held' && (
          <span className="muted small" role="status">
            Held for approval, nothing saved: {apply.data.heldChange.summary} Approve or reject it under Held changes on
            the Policies page.
          </span>
        )}
      </div>
      {impact.data && <WhatIfView whatIf={impact.data} />}
      {parses && preview.data && preview.data.error === null && (
        <section aria-label="Preview">
          <h3>
            Preview: {preview.data.memberCount.toLocaleString()} members, {preview.data.unknownCount.toLocaleString()}{' '}
            unknown of {preview.data.usersEvaluated.toLocaleString()} users
          </h3>
          <Table
            label="Preview members"
            columns={['Name', 'User principal name', 'Membership', 'Missing attributes']}
            items={preview.data.rows}
            itemKey={r => r.userId}
            empty="Nobody would be in this group."
          >
            {r => (
              <tr className={selected === r.userId ? 'selected' : undefined}>
                <td>
                  <button className="link-button" onClick={() => setSelected(r.userId)}>
                    {r.displayName || r.userPrincipalName}
                  </button>
                </td>
                <td className="mono">{r.userPrincipalName}</td>
                <td>{r.state === 'in' ? <Badge tone="good">in</Badge> : <Badge tone="warn">unknown</Badge>}</td>
                <td>
                  {r.missing.length === 0 ? (
                    <span className="muted">—</span>
                  ) : (
                    r.missing.map(a => (
                      <code key={a} className="chip">
                        {a}
                      </code>
                    ))
                  )}
                </td>
              </tr>
            )}
          </Table>
          <div className="pager">
            <button className="small" disabled={page === 0} onClick={() => setPage(page - 1)}>
              Previous
            </button>
            <span className="muted small">Page {page + 1}</span>
            <button
              className="small"
              disabled={(page + 1) * PAGE >= preview.data.memberCount + preview.data.unknownCount}
              onClick={() => setPage(page + 1)}
            >
              Next
            </button>
          </div>
        </section>
      )}
      {parses && (
        <form className="inline-form" aria-label="Explain for a user" onSubmit={explainUser}>
          <UserPrincipalNameField value={upn} onChange={setUpn} />
          <button type="submit" className="small">
            Explain
          </button>
          {findUser.isError && (
            <span className="error-text" role="alert">
              {errorMessage(findUser.error)}
            </span>
          )}
        </form>
      )}
      {selected !== null && explain.data && (
        <section aria-label="Explanation">
          <h3>Why the rule is {explain.data.result ? 'true' : 'false'} for this user</h3>
          <ul className="clause-tree" aria-label="Clauses">
            <ClauseNode clause={explain.data.root} />
          </ul>
          {explain.data.hints.length > 0 && (
            <ul aria-label="Hints">
              {explain.data.hints.map((h, i) => (
                <li key={i}>{h}</li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  )
}

function ParseError({ error }: { error: RuleError }) {
  return (
    <div className="rule-error" role="alert">
      <strong>
        Line {error.line}, column {error.column}:
      </strong>{' '}
      {error.message}
      {error.expected.length > 0 && <div className="muted small">Expected: {error.expected.join(', ')}</div>}
      {error.hint && <div className="small">Hint: {error.hint}</div>}
    </div>
  )
}

/** The rule text as coloured spans, with the parse error's position marked. */
function highlighted(text: string, tokens: RuleToken[], error: RuleError | null): ReactNode[] {
  const out: ReactNode[] = []
  let at = 0
  const errorAt = error === null ? -1 : error.offset
  const plain = (from: number, to: number) => {
    if (from >= to) return
    if (errorAt >= from && errorAt < to) {
      out.push(text.slice(from, errorAt))
      out.push(
        <mark key={`e${errorAt}`} className="rule-error-at" data-testid="rule-error-at">
          {text[errorAt]}
        </mark>,
      )
      out.push(text.slice(errorAt + 1, to))
    } else out.push(text.slice(from, to))
  }
  for (const token of tokens) {
    if (token.start < at || token.end > text.length) continue
    plain(at, token.start)
    if (errorAt >= token.start && errorAt < token.end) {
      out.push(
        <mark key={`e${errorAt}`} className={`tok tok-${token.kind} rule-error-at`} data-testid="rule-error-at">
          {text.slice(token.start, token.end)}
        </mark>,
      )
    } else {
      out.push(
        <span key={token.start} className={`tok tok-${token.kind}`}>
          {text.slice(token.start, token.end)}
        </span>,
      )
    }
    at = token.end
  }
  plain(at, text.length)
  if (errorAt >= text.length && error !== null)
    out.push(
      <mark key="end" className="rule-error-at" data-testid="rule-error-at">
        {' '}
      </mark>,
    )
  return out
}
