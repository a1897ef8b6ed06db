// The ingress's certificate on the Settings page: what it is valid for and until when, the root
// devices must trust when it was made here, and the two ways to replace it (generate for the LAN,
// import your own). The key goes to main's secrets store; nothing of it comes back.
import { useState } from 'react'
import { useMutation } from '@tanstack/react-query'
import type { IngressInfo } from '../../shared/ingress'
import { call } from '../api'
import { Badge, ErrorNote, Section, Time } from './ui'

export function IngressCertificate({ info }: { info: IngressInfo }) {
  const cert = info.certificate
  const [names, setNames] = useState(() => (cert?.names.length ? cert.names : info.suggestedNames).join(', '))
  const [certificate, setCertificate] = useState('')
  const [key, setKey] = useState('')
  const generate = useMutation({
    mutationFn: () =>
      call('ingress/generateCertificate', {
        names: names
          .split(/[\s,]+/)
          .map(n => n.trim())
          .filter(Boolean),
      }),
  })
  const upload = useMutation({
    mutationFn: () => call('ingress/importCertificate', { certificate, key }),
    onSuccess: () => {
      setCertificate('')
      setKey('')
    },
  })
  return (
    <Section title="Certificate">
      {cert ? (
        <dl className="facts" aria-label="Ingress certificate">
          <div>
            <dt>Made</dt>
            <dd>{cert.source === 'generated' ? 'here, for the LAN' : 'imported'}</dd>
          </div>
          <div>
            <dt>Valid for</dt>
            <dd className="mono" data-testid="certificate-names">
              {cert.names.join(', ') || '(no names)'}
            </dd>
          </div>
          <div>
            <dt>Expires</dt>
            <dd>
              <Time iso={cert.notAfter} /> {cert.expiresSoon && <Badge tone="bad">within 30 days</Badge>}
            </dd>
          </div>
          <div>
            <dt>SHA-256 fingerprint</dt>
            <dd className="mono small">{cert.fingerprint}</dd>
          </div>
        </dl>
      ) : (
        <p className="muted">No certificate yet.</p>
      )}
      {cert?.trustPem && (
        <details>
          <summary>Root certificate devices must trust</summary>
          <p className="small muted">
            Install it on each device (on iOS, then turn on full trust in Settings › General › About › Certificate Trust
            Settings), or use an imported certificate from a public CA instead.
          </p>
          <a
            href={`data:application/x-pem-file;charset=utf-8,${encodeURIComponent(cert.trustPem)}`}
            download="jit-mapper-lan-root.pem"
          >
            Download the root certificate
          </a>
          <pre className="mono small">{cert.trustPem}</pre>
        </details>
      )}
      <form
        className="inline-form"
        aria-label="Generate a certificate for the LAN"
        onSubmit={e => {
          e.preventDefault()
          generate.mutate()
        }}
      >
        <label>
          <span className="field-label">Names devices use (DNS names, IP addresses)</span>
          <input value={names} onChange={e => setNames(e.target.value)} size={48} />
        </label>
        <button type="submit" disabled={generate.isPending || names.trim() === ''}>
          Generate a certificate for the LAN
        </button>
        {generate.isError && <ErrorNote error={generate.error} title="Certificate not generated" />}
      </form>
      <h3>Or import your own</h3>
      <form
        className="stack"
        aria-label="Import a certificate"
        onSubmit={e => {
          e.preventDefault()
          upload.mutate()
        }}
      >
        <label>
          Certificate (PEM, then its chain)
          <textarea rows={3} value={certificate} onChange={e => setCertificate(e.target.value)} />
        </label>
        <label>
          Its private key (PEM)
          <textarea rows={3} value={key} onChange={e => setKey(e.target.value)} />
        </label>
        <button type="submit" disabled={upload.isPending || !certificate || !key}>
          Import certificate
        </button>
        {upload.isError && <ErrorNote error={upload.error} title="Certificate not imported" />}
      </form>
    </Section>
  )
}
