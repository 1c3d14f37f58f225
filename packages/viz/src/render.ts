/**
 * Rendering without a canvas: vega-lite spec -> vega -> SVG (vega's headless 'none' renderer),
 * and SVG -> PNG with resvg. Text uses DejaVu Sans, which Debian ships.
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import { PNG } from 'pngjs';

/** A figure in both vector and raster form. */
export interface Figure {
  svg: string;
  png: Buffer;
}

/** Compiles a vega-lite spec and renders it to an SVG string. */
export async function vegaLiteToSvg(spec: vl.TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG string to PNG at `scale` times its size (default 2, crisp on HiDPI). */
export function svgToPng(svg: string, scale = 2): Buffer {
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  });
  return r.render().asPng();
}

/** Renders a vega-lite spec to SVG and PNG. */
export async function renderVegaLite(spec: vl.TopLevelSpec, scale = 2): Promise<Figure> {
  const svg = await vegaLiteToSvg(spec);
  return { svg, png: svgToPng(svg, scale) };
}

/** Width and height of a PNG buffer (throws a clear Error on a bad one). */
export function pngSize(png: Buffer): { width: number; height: number } {
  const img = PNG.sync.read(png);
  return { width: img.width, height: img.height };
}

/** Parses an SVG string (resvg throws on malformed XML) and returns its width and height. */
export function svgSize(svg: string): { width: number; height: number } {
  const r = new Resvg(svg);
  return { width: r.width, height: r.height };
}
