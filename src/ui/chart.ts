import { date, esc, num } from './html.ts';

/**
 * A line chart as inline SVG, rendered on the server (no chart library to ship): one series, a
 * date axis, and vertical markers at the published milestones with the published figure as a dot.
 */
export interface Point {
  date: string;
  value: number;
}

const W = 720;
const H = 190;
const PAD = { left: 56, right: 16, top: 16, bottom: 28 };
const t = (d: string) => Date.parse(`${d}T00:00:00Z`);

export function lineChart(opts: {
  id: string;
  title: string;
  series: Point[];
  milestones: { date: string; value: number | null; label: string }[];
  color: string;
}): string {
  const { series } = opts;
  const x0 = t(series[0]!.date);
  const x1 = t(series[series.length - 1]!.date);
  const published = opts.milestones.map((m) => m.value ?? 0);
  const max = Math.max(1, ...series.map((p) => p.value), ...published);
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const x = (d: string) => PAD.left + ((t(d) - x0) / Math.max(1, x1 - x0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  const path = series.map((p, i) => `${i ? 'L' : 'M'}${x(p.date).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const grid: string[] = [];
  for (let v = 0; v <= top; v += step)
    grid.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" class="grid"/>` +
        `<text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${num(v)}</text>`,
    );
  const years: string[] = [];
  for (let yr = Number(series[0]!.date.slice(0, 4)) + 1; yr <= Number(series.at(-1)!.date.slice(0, 4)); yr++) {
    const d = `${yr}-01-01`;
    years.push(
      `<line x1="${x(d)}" x2="${x(d)}" y1="${PAD.top}" y2="${H - PAD.bottom}" class="year"/>` +
        `<text x="${x(d)}" y="${H - 8}" text-anchor="middle">${yr}</text>`,
    );
  }
  const marks = opts.milestones.map((m) => {
    const cx = x(m.date);
    const dot =
      m.value === null
        ? ''
        : `<circle cx="${cx}" cy="${y(m.value)}" r="5" class="published"><title>${esc(`${date(m.date)} : ${num(m.value)} (publié)`)}</title></circle>`;
    return `<g class="milestone"><line x1="${cx}" x2="${cx}" y1="${PAD.top}" y2="${H - PAD.bottom}"><title>${esc(`${date(m.date)} — ${m.label}`)}</title></line>${dot}</g>`;
  });
  const last = series.at(-1)!;
  return `<figure class="chart" id="${esc(opts.id)}">
<figcaption>${esc(opts.title)} <span class="last">${esc(num(last.value))} au ${esc(date(last.date))}</span></figcaption>
<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(opts.title)}" width="100%">
${grid.join('\n')}
${years.join('\n')}
${marks.join('\n')}
<path d="${path}" fill="none" stroke="${esc(opts.color)}" stroke-width="2.5"/>
</svg>
</figure>`;
}

function niceStep(max: number): number {
  const raw = max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}
