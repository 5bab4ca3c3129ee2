import { For } from 'solid-js';

/** A horizontal bar chart in plain SVG, readable without colour and printable; values label every bar. */
export function BarChart(props: { title: string; rows: { label: string; value: number }[]; unit?: string }) {
  const max = () => Math.max(1, ...props.rows.map((r) => r.value));
  const rowHeight = 26;
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <svg
        role="img"
        aria-label={`${props.title}: ${props.rows.map((r) => `${r.label} ${r.value}`).join(', ') || 'no data'}`}
        viewBox={`0 0 400 ${Math.max(1, props.rows.length) * rowHeight}`}
        width="100%"
      >
        <For each={props.rows}>
          {(row, i) => (
            <g transform={`translate(0, ${i() * rowHeight})`}>
              <text x="0" y="17" font-size="12">
                {row.label}
              </text>
              <rect x="150" y="5" height="16" width={(row.value / max()) * 200} fill="#1f5fae" />
              <text x={155 + (row.value / max()) * 200} y="17" font-size="12">
                {row.value}
                {props.unit ?? ''}
              </text>
            </g>
          )}
        </For>
      </svg>
    </figure>
  );
}
