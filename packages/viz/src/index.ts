/**
 * @cat/viz: the pictures of a run: the paper's Figure 2 mask grid, training curves and
 * accuracy-versus-eps curves, as SVG and PNG (vega-lite, vega, resvg, pngjs).
 */
export * from './render.js';
export * from './mask-grid.js';
export * from './figure2.js';
export * from './charts.js';
export * from './eps-sweep.js';
export * from './report.js';
