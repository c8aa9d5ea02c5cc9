/**
 * The DET curve (false rejects against false accepts, both on log axes) of one or more groups as a
 * self-contained SVG, for clinic IT who would rather look than read: labelled axes in percent, a
 * legend with each group's pair counts and EER, the operating point of the evaluated threshold
 * marked on every curve, and the FAR targets drawn as lines. Written as SVG, or as PNG (rasterised
 * by sharp) when the file name ends in .png.
 */
import { writeFileSync } from 'node:fs';
import sharp from 'sharp';
import type { DetPoint } from '../../../electron/core/face/verification.js';

export interface DetSeries {
  name: string;
  points: DetPoint[];
  genuine: number;
  impostors: number;
  eer: number;
  /** FAR and FRR at the evaluated threshold. */
  operating: { far: number; frr: number };
}

export interface DetPlot {
  title: string;
  subtitle: string;
  threshold: number;
  series: DetSeries[];
  /** FAR targets to draw as vertical lines (e.g. 0.01, 0.001). */
  targetFars?: number[];
}

// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
const DASHES = ['', '8 4', '2 3', '10 3 2 3', '4 4', '1 2', '12 6'];
const W = 900;
const M = { left: 92, right: 28, top: 78 };
const PH = 460;

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const percent = (v: number): string => {
  const p = v * 100;
  if (p === 0) return '0 %';
  if (p >= 10) return `${p.toFixed(0)} %`;
  if (p >= 1) return `${p.toFixed(1).replace(/\.0$/, '')} %`;
  return `${Number(p.toPrecision(2))} %`;
};
const fmt = (v: number): string => (Math.round(v * 10) / 10).toString();

/** Renders the plot as an SVG document. */
export function detSvg(plot: DetPlot): string {
  const nonZero = plot.series.flatMap((s) => s.points.flatMap((p) => [p.far, p.frr])).filter((v) => v > 0);
  const smallest = Math.min(1e-2, ...nonZero, ...(plot.targetFars ?? []).filter((v) => v > 0));
  const lo = Math.max(1e-5, 10 ** Math.floor(Math.log10(smallest)));
  const decades = Math.round(-Math.log10(lo));
  const pw = W - M.left - M.right;
  const ph = PH;
  const H = M.top + ph + 96 + 24 * plot.series.length;
  const clamp = (v: number): number => Math.min(1, Math.max(lo, v));
  const x = (far: number): number => M.left + ((Math.log10(clamp(far)) + decades) / decades) * pw;
  const y = (frr: number): number => M.top + ph - ((Math.log10(clamp(frr)) + decades) / decades) * ph;
  const parts: string[] = [];

  // Grid: a line at every decade (labelled) and lighter ones at 2–9 × each decade.
  for (let d = -decades; d <= 0; d++) {
    const v = 10 ** d;
    parts.push(`<line x1="${fmt(x(v))}" y1="${M.top}" x2="${fmt(x(v))}" y2="${M.top + ph}" stroke="#bbb"/>`);
    parts.push(`<line x1="${M.left}" y1="${fmt(y(v))}" x2="${M.left + pw}" y2="${fmt(y(v))}" stroke="#bbb"/>`);
    parts.push(`<text x="${fmt(x(v))}" y="${M.top + ph + 22}" text-anchor="middle">${percent(v)}</text>`);
    parts.push(`<text x="${M.left - 8}" y="${fmt(y(v) + 5)}" text-anchor="end">${percent(v)}</text>`);
    if (d < 0) {
      for (let k = 2; k <= 9; k++) {
        parts.push(
          `<line x1="${fmt(x(k * v))}" y1="${M.top}" x2="${fmt(x(k * v))}" y2="${M.top + ph}" stroke="#eee"/>`,
        );
        parts.push(
          `<line x1="${M.left}" y1="${fmt(y(k * v))}" x2="${M.left + pw}" y2="${fmt(y(k * v))}" stroke="#eee"/>`,
        );
      }
    }
  }
  // FAR = FRR: where a curve crosses it is its EER.
  parts.push(
    `<line x1="${fmt(x(lo))}" y1="${fmt(y(lo))}" x2="${fmt(x(1))}" y2="${fmt(y(1))}" stroke="#888" stroke-dasharray="3 4"/>`,
  );
  parts.push(
    `<text x="${fmt(x(0.5) - 6)}" y="${fmt(y(0.5) + 18)}" text-anchor="end" fill="#666" font-size="12">FAR = FRR (EER)</text>`,
  );
  for (const t of plot.targetFars ?? []) {
    if (t <= 0 || t < lo) continue;
    parts.push(
      `<line x1="${fmt(x(t))}" y1="${M.top}" x2="${fmt(x(t))}" y2="${M.top + ph}" stroke="#555" stroke-dasharray="6 3" stroke-width="1.2"/>`,
    );
    parts.push(
      `<text x="${fmt(x(t) + 4)}" y="${M.top + 14}" fill="#444" font-size="12">target FAR ${percent(t)}</text>`,
    );
  }

  // Curves, then every operating point on top.
  const legend: string[] = [];
  plot.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length] as string;
    const dash = DASHES[i % DASHES.length] as string;
    const path = s.points.map((p, k) => `${k ? 'L' : 'M'}${fmt(x(p.far))},${fmt(y(p.frr))}`).join('');
    parts.push(
      `<path d="${path}" fill="none" stroke="${colour}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
    );
    const ly = M.top + ph + 92 + i * 24;
    legend.push(
      `<line x1="${M.left}" y1="${ly - 5}" x2="${M.left + 36}" y2="${ly - 5}" stroke="${colour}" stroke-width="3"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
      `<circle cx="${M.left + 18}" cy="${ly - 5}" r="5" fill="${colour}" stroke="#fff" stroke-width="1.5"/>`,
      `<text x="${M.left + 46}" y="${ly}">${esc(s.name)}: ${s.genuine} genuine, ${s.impostors} impostor pairs · EER ${percent(s.eer)} · at ${plot.threshold}: FAR ${percent(s.operating.far)}, FRR ${percent(s.operating.frr)}</text>`,
    );
  });
  plot.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length] as string;
    const cx = fmt(x(s.operating.far));
    const cy = fmt(y(s.operating.frr));
    parts.push(
      `<circle cx="${cx}" cy="${cy}" r="7" fill="${colour}" stroke="#fff" stroke-width="2"><title>${esc(s.name)} at threshold ${plot.threshold}</title></circle>`,
    );
  });

  const axisY = M.top + ph;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" font-size="14" fill="#222">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${M.left}" y="30" font-size="20" font-weight="bold">${esc(plot.title)}</text>`,
    `<text x="${M.left}" y="54" font-size="12" fill="#444">${esc(plot.subtitle)}</text>`,
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`,
    ...parts,
    `<text x="${M.left + pw / 2}" y="${axisY + 46}" text-anchor="middle" font-weight="bold">False accept rate (FAR): impostors accepted as the patient →</text>`,
    `<text transform="translate(24 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle" font-weight="bold">False reject rate (FRR): patients refused →</text>`,
    `<text x="${M.left + pw}" y="${axisY + 46 + 0}" text-anchor="end" font-size="12" fill="#666" dy="18">lower left is better · dots: threshold ${plot.threshold} · 0 drawn at ${percent(lo)}</text>`,
    ...legend,
    '</svg>',
  ].join('\n');
}

/** Writes the plot: PNG when the name ends in .png (rasterised from the SVG), else SVG. */
export async function writeDetPlot(file: string, plot: DetPlot): Promise<void> {
  const svg = detSvg(plot);
  if (/\.png$/i.test(file)) await sharp(Buffer.from(svg), { density: 144 }).png().toFile(file);
  else writeFileSync(file, svg);
}
