/** The match count day by day (Alert.matchCountHistory), as a small inline SVG: a chart
 * library would weigh more than the whole app for one line. */
export function MatchChart({ points, color }: { points: { date: string; count: number }[]; color: string }) {
  if (points.length === 0) return <div className="empty">No history yet.</div>;
  const width = 600;
  const height = 160;
  const pad = { left: 36, right: 8, top: 10, bottom: 22 };
  const max = Math.max(1, ...points.map((p) => p.count));
  const x = (i: number) => pad.left + (points.length === 1 ? 0 : (i * (width - pad.left - pad.right)) / (points.length - 1));
  const y = (n: number) => pad.top + (1 - n / max) * (height - pad.top - pad.bottom);
  const line = points.map((p, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(p.count).toFixed(1)}`).join(" ");
  const area = `${line} L${x(points.length - 1).toFixed(1)},${y(0)} L${x(0).toFixed(1)},${y(0)} Z`;
  const last = points[points.length - 1];
  const first = points[0];
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Matching accounts from ${first.date} (${first.count}) to ${last.date} (${last.count}), at most ${max}`} preserveAspectRatio="none">
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={pad.left} x2={width - pad.right} y1={y(max * f)} y2={y(max * f)} className="gridline" />
            <text x={pad.left - 6} y={y(max * f) + 4} textAnchor="end" className="axis">
              {Math.round(max * f)}
            </text>
          </g>
        ))}
        <path d={area} fill={color} opacity={0.12} />
        <path d={line} fill="none" stroke={color} strokeWidth={2} vectorEffect="non-scaling-stroke" />
        <circle cx={x(points.length - 1)} cy={y(last.count)} r={3.5} fill={color} />
        <text x={pad.left} y={height - 6} className="axis">
          {first.date}
        </text>
        <text x={width - pad.right} y={height - 6} textAnchor="end" className="axis">
          {last.date}
        </text>
      </svg>
      <figcaption className="chart-note">
        {points.length === 1
          ? `History begins ${first.date}: one day so far.`
          : `${points.length} days, from ${first.date}; today ${last.count.toLocaleString("en-GB")}.`}
      </figcaption>
    </figure>
  );
}
