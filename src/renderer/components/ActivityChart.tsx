// Enrollments and deliveries per day over the last two weeks, as plain SVG bars (no chart
// library), with the same numbers in a table for screen readers.
import type { ActivityDay } from '../../shared/admin'
import { formatCount } from './ui'

const W = 560
const H = 150
const PAD = { left: 32, right: 8, top: 10, bottom: 30 }

export function ActivityChart({ days }: { days: ActivityDay[] }) {
  const max = Math.max(1, ...days.flatMap(d => [d.enrollments, d.deliveries]))
  const slot = (W - PAD.left - PAD.right) / Math.max(1, days.length)
  const bar = Math.max(2, (slot - 4) / 2)
  const ih = H - PAD.top - PAD.bottom
  const y = (n: number) => PAD.top + ih - (n / max) * ih
  const enrollments = days.reduce((n, d) => n + d.enrollments, 0)
  const deliveries = days.reduce((n, d) => n + d.deliveries, 0)
  return (
    <figure className="activity-chart">
      <svg
        role="img"
        aria-label={`Over the last ${days.length} days: ${formatCount(enrollments)} enrollments and ${formatCount(deliveries)} deliveries`}
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
      >
        <line x1={PAD.left} y1={PAD.top + ih} x2={W - PAD.right} y2={PAD.top + ih} className="axis" />
        <text x={PAD.left - 4} y={PAD.top + 8} textAnchor="end" className="chart-label">
          {max}
        </text>
        <text x={PAD.left - 4} y={PAD.top + ih} textAnchor="end" className="chart-label">
          0
        </text>
        {days.map((d, i) => {
          const x = PAD.left + i * slot + 2
          return (
            <g key={d.day}>
              <rect
                x={x}
                y={y(d.enrollments)}
                width={bar}
                height={PAD.top + ih - y(d.enrollments)}
                className="bar-enroll"
              >
                <title>{`${d.day}: ${d.enrollments} enrollment(s)`}</title>
              </rect>
              <rect
                x={x + bar}
                y={y(d.deliveries)}
                width={bar}
                height={PAD.top + ih - y(d.deliveries)}
                className="bar-deliver"
              >
                <title>{`${d.day}: ${d.deliveries} deliver${d.deliveries === 1 ? 'y' : 'ies'}`}</title>
              </rect>
              {(i % 2 === 0 || days.length <= 7) && (
                <text x={x + bar} y={H - 12} textAnchor="middle" className="chart-label">
                  {d.day.slice(5)}
                </text>
              )}
            </g>
          )
        })}
      </svg>
      <figcaption className="small">
        <span className="legend legend-enroll" aria-hidden="true" /> Enrollments{' '}
        <span className="legend legend-deliver" aria-hidden="true" /> Deliveries (commands acknowledged), per day (UTC)
      </figcaption>
      <table className="visually-hidden" aria-label="Enrollments and deliveries per day">
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Enrollments</th>
            <th scope="col">Deliveries</th>
          </tr>
        </thead>
        <tbody>
          {days.map(d => (
            <tr key={d.day}>
              <td>{d.day}</td>
              <td>{d.enrollments}</td>
              <td>{d.deliveries}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}
