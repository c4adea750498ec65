// Horizontal bars drawn with SVG: one bar a category, its length its share of the total.

import { formatCount } from './common.js';

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

/**
 * Each value's share of `total` as a whole percentage. The shares and what the bars leave out
 * add up to 100 (the largest remainders get the rounding, so 35 and 5 of 40 read 88 % and 12 %,
 * not 88 % and 13 %), and a share that is neither none nor all never reads 0 % or 100 %: one
 * blocked user of 5,000 is "<1%" beside ">99%", not "0%" beside "100%".
 */
export function percentages(values: readonly number[], total: number): string[] {
  if (total <= 0) return values.map(() => '0%');
  const rest = Math.max(0, total - values.reduce((sum, v) => sum + v, 0));
  const exact = [...values, rest].map((v) => (v / total) * 100);
  const whole = exact.map(Math.floor);
  const remainder = (i: number): number => exact[i] - whole[i];
  const byRemainder = exact.map((_, i) => i).sort((a, b) => remainder(b) - remainder(a));
  const missing = Math.max(0, 100 - whole.reduce((sum, w) => sum + w, 0));
  for (const i of byRemainder.slice(0, missing)) whole[i] += 1;
  return values.map((v, i) => (v > 0 && whole[i] === 0 ? '<1%' : v < total && whole[i] === 100 ? '>99%' : `${whole[i]}%`));
}

export function BarChart({ title, bars, total }: { title: string; bars: readonly Bar[]; total: number }) {
  const track = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const height = bars.length * (BAR_HEIGHT + GAP) - GAP;
  const shares = percentages(bars.map((b) => b.value), total);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={`${title}: ${bars.map((b, i) => `${b.label} ${formatCount(b.value)} (${shares[i]})`).join(', ')}`}>
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
                {formatCount(bar.value)} ({shares[i]})
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}
