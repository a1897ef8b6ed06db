// "Why is this user not in this group?": resolves the user, asks groups/explain and shows
// the rule's clause tree with the values each clause compared (GROUP_RULE_FAIL).
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { useMutation, useQuery } from '@tanstack/react-query'
import { ApiError, call, explainQuery, groupNamesQuery } from '../api'
import { Link, paths } from '../router'
import { Badge, ErrorNote, Loaded, formatValue } from './ui'
import { UserPrincipalNameField } from './UserPrincipalNameField'
import type { ClauseExplanation, MembershipExplanation } from '../../shared/domain'

interface Subject {
  userId: string
  groupId: string
}

export function ExplainMembership({
  initialUserPrincipalName,
  initialUserId,
  initialGroupId,
}: {
  initialUserPrincipalName: string
  initialUserId?: string | undefined
  initialGroupId: string
}) {
  // Names only: the member counts groups/list adds take a third of a second at 100,000 users.
  const groups = useQuery(groupNamesQuery())
  const [upn, setUpn] = useState(initialUserPrincipalName)
  const [groupId, setGroupId] = useState(initialGroupId)
  const [subject, setSubject] = useState<Subject | null>(
    initialUserId && initialGroupId ? { userId: initialUserId, groupId: initialGroupId } : null,
  )
  const ref = useRef<HTMLFormElement>(null)
  useEffect(() => {
    if (initialUserId) ref.current?.scrollIntoView({ block: 'start' })
  }, [initialUserId])

  const resolve = useMutation({
    mutationFn: async (name: string): Promise<string> => {
      const wanted = name.trim().toLowerCase()
      const found = await call('users/list', { query: name.trim(), limit: 50 })
      const user = found.rows.find(u => u.userPrincipalName.toLowerCase() === wanted)
      if (!user) {
        throw new ApiError({ code: 'NOT_FOUND', message: `No user has the user principal name “${name.trim()}”.` })
      }
      return user.id
    },
  })

  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!groupId) return
    resolve.mutate(upn, { onSuccess: userId => setSubject({ userId, groupId }) })
  }

  return (
    <div className="explain">
      <form ref={ref} className="inline-form" aria-label="Explain membership" onSubmit={submit}>
        <UserPrincipalNameField value={upn} onChange={setUpn} />
        <label>
          <span className="field-label">Group</span>
          <select value={groupId} onChange={e => setGroupId(e.target.value)} required>
            <option value="">Choose a group…</option>
            {(groups.data ?? []).map(g => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={resolve.isPending}>
          Explain
        </button>
      </form>
      {resolve.isError && <ErrorNote error={resolve.error} />}
      {subject && <ExplanationResult subject={subject} />}
    </div>
  )
}

function ExplanationResult({ subject }: { subject: Subject }) {
  const explanation = useQuery(explainQuery(subject.groupId, subject.userId))
  return (
    <Loaded query={explanation} label="Evaluating the rule…">
      {x => <ExplanationView x={x} />}
    </Loaded>
  )
}

const STATE_TONE = { in: 'good', out: 'bad', unknown: 'warn' } as const

function ExplanationView({ x }: { x: MembershipExplanation }) {
  return (
    <section className="explanation" aria-label="Explanation">
      <p className="explanation-summary">
        <Badge tone={STATE_TONE[x.state]}>{x.state}</Badge> <span>{x.summary}</span>
      </p>
      <p className="small muted">
        <Link to={paths.user(x.userId)}>Open the user</Link> ·{' '}
        <Link to={paths.group(x.groupId)}>Open {x.groupName}</Link>
      </p>
      {x.rule && <pre className="rule-block">{x.rule}</pre>}
      {x.missing.length > 0 && (
        <p>
          Missing attributes:{' '}
          {x.missing.map(a => (
            <code key={a} className="chip">
              {a}
            </code>
          ))}
        </p>
      )}
      {x.root ? (
        <>
          <h3>Clauses</h3>
          <ul className="clause-tree" aria-label="Clauses">
            <ClauseNode clause={x.root} />
          </ul>
        </>
      ) : (
        x.kind === 'synced' && <p className="muted">A synced group: membership comes from the directory, not a rule.</p>
      )}
      {x.hints.length > 0 && (
        <div className="hints">
          <h3>Hints</h3>
          <ul aria-label="Hints">
            {x.hints.map((h, i) => (
              <li key={i}>{h}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  )
}

export function ClauseNode({ clause }: { clause: ClauseExplanation }) {
  const hasValues = clause.attribute !== undefined
  return (
    <li className={`clause ${clause.result ? 'clause-pass' : 'clause-fail'}`}>
      <div className="clause-line">
        <Badge tone={clause.result ? 'good' : 'bad'}>{clause.result ? 'true' : 'false'}</Badge>
        <code className="clause-text">{clause.text}</code>
        {clause.missing && <Badge tone="warn">attribute missing</Badge>}
      </div>
      {hasValues && (
        <dl className="clause-values">
          <div>
            <dt>Attribute</dt>
            <dd className="mono">{clause.attribute}</dd>
          </div>
          <div>
            <dt>Actual</dt>
            <dd className="mono">{formatValue(clause.actual)}</dd>
          </div>
          <div>
            <dt>Expected</dt>
            <dd className="mono">{formatValue(clause.expected)}</dd>
          </div>
          <div>
            <dt>Operator</dt>
            <dd className="mono">{clause.operator}</dd>
          </div>
        </dl>
      )}
      {clause.children && clause.children.length > 0 && (
        <ul>
          {clause.children.map((c, i) => (
            <ClauseNode key={i} clause={c} />
          ))}
        </ul>
      )}
    </li>
  )
}
