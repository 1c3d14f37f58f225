/** Drawing into the page: images on canvases, probability bars, training curves, tables. */
import type { EvalSummary } from '../src/site-format.js';
import type { EpochRow } from './data.js';
import type { Prediction } from './attack.js';

/** An element with attributes and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/**
 * Paints an [H, W, C] image onto a canvas of H x W pixels. `map` turns a value of channel c into
 * 0..255 (default v * 255); one channel is drawn grey unless `rgbOf` colours it.
 */
export function paintImage(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  shape: [number, number, number],
  rgbOf?: (v: number) => [number, number, number],
): void {
  const [h, w, c] = shape;
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(w, h);
  const byte = (v: number) => Math.max(0, Math.min(255, Math.round(v * 255)));
  for (let i = 0; i < h * w; i++) {
    let rgb: [number, number, number];
    if (c === 1) rgb = rgbOf ? rgbOf(values[i]) : [byte(values[i]), byte(values[i]), byte(values[i])];
    else rgb = [byte(values[i * c]), byte(values[i * c + 1]), byte(values[i * c + 2])];
    img.data.set([...rgb, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
}

/** A perturbation in [-eps, eps]: red where the attack brightened, blue where it darkened (one channel); 0.5 + delta / 2 eps per channel (colour). */
export function paintDelta(canvas: HTMLCanvasElement, delta: Float32Array, shape: [number, number, number], eps: number): void {
  const scale = eps > 0 ? eps : 1;
  if (shape[2] === 1) {
    paintImage(canvas, delta, shape, (v) => {
      const t = Math.min(1, Math.abs(v) / scale);
      const fade = Math.round(255 * (1 - t));
      return v >= 0 ? [255, fade, fade] : [fade, fade, 255];
    });
  } else {
    paintImage(canvas, Float32Array.from(delta, (v) => 0.5 + v / (2 * scale)), shape);
  }
}

/** Class-probability bars; the predicted class in strong blue, the true label's name in bold. */
export function probabilityBars(title: string, p: Prediction, classNames: string[], truth: number | null): HTMLElement {
  const box = el('div', { class: 'probs', 'data-pred': String(p.pred) }, el('h3', {}, `${title}: ${classNames[p.pred] ?? p.pred}`));
  p.probs.forEach((v, k) => {
    const cls = ['bar-row', k === p.pred ? 'pred' : '', k === truth ? 'truth' : ''].filter(Boolean).join(' ');
    const fill = el('div', { class: 'fill' });
    fill.style.width = `${(100 * v).toFixed(1)}%`;
    box.append(el('div', { class: cls }, el('span', { class: 'label' }, classNames[k] ?? String(k)), el('div', { class: 'track' }, fill), el('span', { class: 'p' }, `${(100 * v).toFixed(1)}%`)));
  });
  return box;
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export interface Series {
  name: string;
  colour: string;
  points: Array<[number, number]>;
}

/** A small line chart of series over epochs (inline SVG, no library). */
export function lineChart(title: string, series: Series[], opts: { yMin?: number; yMax?: number; percent?: boolean } = {}): HTMLElement {
  const W = 480, H = 200, L = 44, R = 110, T = 20, B = 28;
  const all = series.flatMap((s) => s.points);
  const box = el('figure', { class: 'chart' });
  if (all.length === 0) {
    box.append(el('figcaption', {}, `${title}: no epochs logged`));
    return box;
  }
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1);
  const y0 = opts.yMin ?? Math.min(...ys), y1 = Math.max(opts.yMax ?? Math.max(...ys), y0 + 1e-6);
  const px = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const py = (y: number) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  const fmt = (y: number) => (opts.percent ? `${(100 * y).toFixed(0)}%` : y !== 0 && Math.abs(y) < 0.01 ? y.toExponential(0) : y.toPrecision(2));
  const root = svg('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title });
  root.append(svg('text', { x: L, y: 13 }, title));
  for (const t of [0, 0.5, 1]) {
    const y = y0 + t * (y1 - y0);
    root.append(svg('line', { x1: L, x2: W - R, y1: py(y), y2: py(y), stroke: '#e3e6eb' }));
    root.append(svg('text', { x: L - 4, y: py(y) + 4, 'text-anchor': 'end' }, fmt(y)));
  }
  root.append(svg('text', { x: px(x0), y: H - 8, 'text-anchor': 'middle' }, String(x0)));
  root.append(svg('text', { x: px(x1), y: H - 8, 'text-anchor': 'middle' }, String(x1)));
  root.append(svg('text', { x: (L + W - R) / 2, y: H - 8, 'text-anchor': 'middle' }, 'epoch'));
  series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const d = s.points.map(([x, y], j) => `${j ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    root.append(svg('path', { d, fill: 'none', stroke: s.colour, 'stroke-width': 2 }));
    for (const [x, y] of s.points) root.append(svg('circle', { cx: px(x), cy: py(y), r: 2.5, fill: s.colour }));
    root.append(svg('line', { x1: W - R + 8, x2: W - R + 24, y1: T + 8 + 16 * i, y2: T + 8 + 16 * i, stroke: s.colour, 'stroke-width': 2 }));
    root.append(svg('text', { x: W - R + 28, y: T + 12 + 16 * i }, s.name));
  });
  box.append(root);
  return box;
}

const COLOURS = ['#2f6fd0', '#e8590c', '#2b8a3e', '#ae3ec9', '#868e96', '#f59f00', '#0c8599', '#c2255c'];

/** The accuracy chart and the loss chart of a run's metrics.jsonl. */
export function trainingCurves(metrics: EpochRow[]): HTMLElement[] {
  const acc: Series[] = [
    { name: 'natural', colour: COLOURS[0], points: metrics.filter((m) => m.naturalAcc !== undefined).map((m) => [m.epoch, m.naturalAcc!]) },
    { name: 'PGD', colour: COLOURS[1], points: metrics.filter((m) => m.pgd10Acc !== undefined).map((m) => [m.epoch, m.pgd10Acc!]) },
  ];
  const lossNames = [...new Set(metrics.flatMap((m) => Object.keys(m.losses ?? {})))];
  const losses: Series[] = lossNames.map((name, i) => ({
    name,
    colour: COLOURS[i % COLOURS.length],
    points: metrics.filter((m) => Number.isFinite(m.losses?.[name])).map((m) => [m.epoch, m.losses![name]]),
  }));
  return [lineChart('test accuracy', acc, { yMin: 0, yMax: 1, percent: true }), lineChart('training losses', losses)];
}

/** The run's `cat-cli eval` accuracies as a table. */
export function evalTable(e: EvalSummary): HTMLElement {
  const rows = e.attacks.map((a) => el('tr', {}, el('td', {}, a.name), el('td', {}, `${(100 * a.accuracy).toFixed(2)}%`)));
  return el(
    'div',
    { class: 'eval' },
    el('h3', {}, `cat-cli eval: ${e.n} test images, ${e.norm === 'L2' ? 'L2' : 'L-inf'} eps ${e.eps}`),
    el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'attack'), el('th', {}, 'accuracy'))), el('tbody', {}, ...rows)),
  );
}
