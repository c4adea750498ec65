// Horizontal bars drawn with SVG: one bar a category, its length its share of the total.

export interface Bar {
  readonly label: string;
  readonly value: number;
  /** A CSS class giving the bar its colour. */
  readonly tone: string;
}

const WIDTH = 560;
const BAR_HEIGHT = 26;
const GAP = 12;
const LABEL_WIDTH = 120;
const VALUE_WIDTH = 110;

export function BarChart({ title, bars, total }: { title: string; bars: readonly Bar[]; total: number }) {
  const track = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const height = bars.length * (BAR_HEIGHT + GAP) - GAP;
  const percent = (v: number): number => (total === 0 ? 0 : Math.round((v / total) * 100));
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={`${title}: ${bars.map((b) => `${b.label} ${b.value} (${percent(b.value)}%)`).join(', ')}`}>
        {bars.map((bar, i) => {
          const y = i * (BAR_HEIGHT + GAP);
          const length = total === 0 ? 0 : Math.max(bar.value > 0 ? 2 : 0, (bar.value / total) * track);
          return (
            <g key={bar.label} class={`bar ${bar.tone}`}>
              <text x={0} y={y + BAR_HEIGHT / 2} dominant-baseline="central" class="bar-label">
                {bar.label}
              </text>
              <rect x={LABEL_WIDTH} y={y} width={track} height={BAR_HEIGHT} rx={4} class="bar-track" />
              <rect x={LABEL_WIDTH} y={y} width={length} height={BAR_HEIGHT} rx={4} class="bar-fill" />
              <text x={WIDTH} y={y + BAR_HEIGHT / 2} dominant-baseline="central" text-anchor="end" class="bar-value">
                {bar.value} ({percent(bar.value)}%)
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}
