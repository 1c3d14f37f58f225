/**
 * The paper's Figure 2: a grid with one column per test image and four rows: natural image,
 * adversarial image, the mask network's mask, calibrated adversarial image. The pixels are laid
 * out with pngjs (nearest-neighbour upscaling, no interpolation to blur the perturbation); row
 * labels are added by wrapping that PNG in an SVG with text, rendered again by resvg.
 */
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { svgToPng, type Figure } from './render.js';

/** The four rows of the grid, each `[N, H, W, C]` in [0,1] (C = 1 or 3; a 1-channel mask is fine). */
export interface MaskGridImages {
  natural: tf.Tensor4D;
  adversarial: tf.Tensor4D;
  mask: tf.Tensor4D;
  calibrated: tf.Tensor4D;
}

/** Layout options of the grid. */
export interface MaskGridOptions {
  /** Upscaling factor of each pixel (default 4: 28x28 digits become 112x112). */
  scale?: number;
  /** Gap between cells in output pixels (default 4). */
  pad?: number;
  /** Row labels (default the paper's). */
  rowLabels?: [string, string, string, string];
  /** One label per column (e.g. 'y=7 pred 3'), drawn above it. */
  columnLabels?: string[];
}

export const DEFAULT_ROW_LABELS: [string, string, string, string] = ['natural', 'adversarial', 'mask', 'calibrated adv.'];

function rowsOf(images: MaskGridImages): tf.Tensor4D[] {
  const rows = [images.natural, images.adversarial, images.mask, images.calibrated];
  const [n, h, w] = rows[0].shape;
  rows.forEach((r, i) => {
    if (r.rank !== 4 || r.shape[0] !== n || r.shape[1] !== h || r.shape[2] !== w) {
      throw new Error(`maskGrid: row ${DEFAULT_ROW_LABELS[i]} has shape [${r.shape}], expected [${n}, ${h}, ${w}, C]`);
    }
    if (r.shape[3] !== 1 && r.shape[3] !== 3) throw new Error(`maskGrid: row ${DEFAULT_ROW_LABELS[i]} must have 1 or 3 channels, got ${r.shape[3]}`);
  });
  if (n === 0) throw new Error('maskGrid: no images');
  return rows;
}

/** The grid's pixels as a PNG (no labels): 4 rows, N columns, white gaps. */
export function maskGridPng(images: MaskGridImages, opts: MaskGridOptions = {}): Buffer {
  const rows = rowsOf(images);
  const scale = opts.scale ?? 4;
  const pad = opts.pad ?? 4;
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`maskGrid: scale must be a positive integer, got ${scale}`);
  const [n, h, w] = rows[0].shape;
  const cw = w * scale;
  const ch = h * scale;
  const width = n * cw + (n + 1) * pad;
  const height = rows.length * ch + (rows.length + 1) * pad;
  const png = new PNG({ width, height });
  png.data.fill(255);
  rows.forEach((row, r) => {
    const c = row.shape[3];
    const v = row.dataSync();
    for (let i = 0; i < n; i++) {
      const x0 = pad + i * (cw + pad);
      const y0 = pad + r * (ch + pad);
      for (let py = 0; py < ch; py++) {
        const sy = Math.floor(py / scale);
        for (let px = 0; px < cw; px++) {
          const sx = Math.floor(px / scale);
          const base = ((i * h + sy) * w + sx) * c;
          const o = ((y0 + py) * width + (x0 + px)) * 4;
          for (let k = 0; k < 3; k++) {
            const val = v[base + (c === 3 ? k : 0)];
            png.data[o + k] = Math.round(Math.min(Math.max(val, 0), 1) * 255);
          }
          png.data[o + 3] = 255;
        }
      }
    }
  });
  return PNG.sync.write(png);
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The grid with row (and optional column) labels, as SVG (PNG embedded) and as PNG. */
export function maskGridFigure(images: MaskGridImages, opts: MaskGridOptions = {}): Figure {
  const grid = maskGridPng(images, opts);
  const img = PNG.sync.read(grid);
  const scale = opts.scale ?? 4;
  const pad = opts.pad ?? 4;
  const labels = opts.rowLabels ?? DEFAULT_ROW_LABELS;
  const [n, h, w] = images.natural.shape;
  const left = 130;
  const top = opts.columnLabels ? 24 : 0;
  if (opts.columnLabels && opts.columnLabels.length !== n) {
    throw new Error(`maskGrid: ${opts.columnLabels.length} column labels for ${n} columns`);
  }
  const width = left + img.width;
  const height = top + img.height;
  const rowText = labels
    .map((l, r) => {
      const y = top + pad + r * (h * scale + pad) + (h * scale) / 2;
      return `<text x="${left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="14">${escapeXml(l)}</text>`;
    })
    .join('');
  const colText = (opts.columnLabels ?? [])
    .map((l, i) => {
      const x = left + pad + i * (w * scale + pad) + (w * scale) / 2;
      return `<text x="${x}" y="16" text-anchor="middle" font-size="11">${escapeXml(l)}</text>`;
    })
    .join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, sans-serif">` +
    `<rect width="${width}" height="${height}" fill="white"/>` +
    `<image x="${left}" y="${top}" width="${img.width}" height="${img.height}" style="image-rendering:pixelated" href="data:image/png;base64,${grid.toString('base64')}" xlink:href="data:image/png;base64,${grid.toString('base64')}"/>` +
    rowText +
    colText +
    `</svg>`;
  return { svg, png: svgToPng(svg, 1) };
}
