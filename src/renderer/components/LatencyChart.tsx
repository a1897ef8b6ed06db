// Delivery latency: how long after its push each acknowledged command was answered, as a
// plain SVG histogram (no chart library) with the p50/p99 marked, newest commands first.
import type { DeliveryLatency } from '../../shared/domain'

const W = 560
const H = 140
const PAD = { left: 44, right: 12, top: 12, bottom: 28 }

/** Bucket edges in ms: under a second, a few seconds, minutes (the default deadline is 5 min). */
const EDGES = [0, 250, 1_000, 5_000, 30_000, 60_000, 300_000, Number.POSITIVE_INFINITY]
const LABELS = ['<250ms', '<1s', '<5s', '<30s', '<1m', '<5m', '≥5m']

export function formatMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`
  return `${(ms / 60_000).toFixed(1)} min`
}

export function LatencyChart({ latencies }: { latencies: DeliveryLatency[] }) {
  if (latencies.length === 0) return <p className="muted">No acknowledged commands yet.</p>
  const counts = LABELS.map(
    (_, i) => latencies.filter(l => l.ms >= (EDGES[i] as number) && l.ms < (EDGES[i + 1] as number)).length,
  )
  const max = Math.max(...counts)
  const sorted = latencies.map(l => l.ms).sort((a, b) => a - b)
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
  const bw = (W - PAD.left - PAD.right) / LABELS.length
  const ih = H - PAD.top - PAD.bottom
  return (
    <figure className="latency-chart">
      <svg
        role="img"
        aria-label={`Delivery latency of ${latencies.length} acknowledged commands: p50 ${formatMs(pct(50))}, p99 ${formatMs(pct(99))}`}
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
      >
        <line
          x1={PAD.left}
          y1={PAD.top + ih}
          x2={W - PAD.right}
          y2={PAD.top + ih}
          stroke="currentColor"
          strokeOpacity="0.4"
        />
        <text x={PAD.left - 6} y={PAD.top + 4} textAnchor="end" fontSize="10">
          {max}
        </text>
        <text x={PAD.left - 6} y={PAD.top + ih} textAnchor="end" fontSize="10">
          0
        </text>
        {counts.map((c, i) => {
          const h = max === 0 ? 0 : (c / max) * ih
          return (
            <g key={LABELS[i]}>
              <rect
                x={PAD.left + i * bw + 4}
                y={PAD.top + ih - h}
                width={bw - 8}
                height={h}
                fill="currentColor"
                fillOpacity="0.55"
              >
                <title>{`${LABELS[i]}: ${c} command${c === 1 ? '' : 's'}`}</title>
              </rect>
              <text x={PAD.left + i * bw + bw / 2} y={H - 10} textAnchor="middle" fontSize="10">
                {LABELS[i]}
              </text>
            </g>
          )
        })}
      </svg>
      <figcaption className="small muted">
        Push to acknowledgement, last {latencies.length} commands: p50 {formatMs(pct(50))}, p99 {formatMs(pct(99))}.
      </figcaption>
    </figure>
  )
}
