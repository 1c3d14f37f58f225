/**
 * Vega-lite specs of the run charts: training curves from metrics.jsonl and accuracy against
 * eps across runs. Render them with `renderVegaLite`.
 */
import type { TopLevelSpec } from 'vega-lite';

/** The fields of a metrics.jsonl epoch line the curves use (the trainer's `EpochMetrics`). */
export interface CurveMetrics {
  epoch: number;
  naturalAcc?: number;
  pgd10Acc?: number;
  losses?: Record<string, number>;
  [key: string]: unknown;
}

/**
 * Training curves: natural and PGD-10 accuracy (%) by epoch on the left, each loss term in the
 * middle and, for CAT runs, the mask statistics on the right. Several runs may be passed; they
 * are told apart by colour.
 */
export function trainingCurvesSpec(runs: { label: string; metrics: CurveMetrics[] }[]): TopLevelSpec {
  if (runs.length === 0 || runs.every((r) => r.metrics.length === 0)) {
    throw new Error('trainingCurvesSpec: no epoch lines to plot (metrics.jsonl is empty)');
  }
  const acc: object[] = [];
  const loss: object[] = [];
  const mask: object[] = [];
  for (const r of runs) {
    for (const m of r.metrics) {
      if (!Number.isFinite(m.epoch)) throw new Error(`trainingCurvesSpec: run ${r.label} has a line without a numeric epoch`);
      if (typeof m.naturalAcc === 'number') acc.push({ run: r.label, epoch: m.epoch, series: 'natural', value: m.naturalAcc * 100 });
      if (typeof m.pgd10Acc === 'number') acc.push({ run: r.label, epoch: m.epoch, series: 'PGD-10', value: m.pgd10Acc * 100 });
      for (const [k, v] of Object.entries(m.losses ?? {})) {
        if (Number.isFinite(v)) loss.push({ run: r.label, epoch: m.epoch, series: k, value: v });
      }
      const ms = m.mask as Record<string, number> | undefined;
      const labels: Record<string, string> = { mean: 'mean', stroke: 'on stroke', background: 'on background', low: 'fraction < 0.01' };
      for (const [k, label] of Object.entries(labels)) {
        if (typeof ms?.[k] === 'number') mask.push({ run: r.label, epoch: m.epoch, series: label, value: ms[k] });
      }
    }
  }
  const multi = runs.length > 1;
  const panel = (title: string, values: object[], y: string) => ({
    title,
    width: 320,
    height: 220,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: y, scale: { zero: false } },
      color: { field: multi ? 'run' : 'series', type: 'nominal', title: multi ? 'run' : null },
      ...(multi ? { strokeDash: { field: 'series', type: 'nominal', title: null } } : {}),
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    hconcat: [
      panel('Test accuracy', acc, 'accuracy (%)'),
      panel('Training losses', loss, 'loss'),
      // CAT runs: the mask's health per epoch (a mean near 0 with the fraction < 0.01 near 1 is a collapse).
      ...(mask.length > 0 ? [panel('Mask g(x + delta)', mask, 'mask')] : []),
    ],
    resolve: { scale: { color: 'independent', strokeDash: 'independent' } },
    config: { font: 'DejaVu Sans' },
  } as TopLevelSpec;
}

/** One point of an accuracy-versus-eps curve. */
export interface EpsPoint {
  run: string;
  eps: number;
  /** Accuracy in [0,1]. */
  accuracy: number;
  /** Which accuracy (e.g. 'PGD-20', 'natural + PGD-20'); default 'robust'. */
  metric?: string;
}

/** Accuracy (%) against eps, one line per run (and dash style per metric when several). */
export function accuracyVsEpsSpec(points: EpsPoint[], opts: { epsTitle?: string; title?: string } = {}): TopLevelSpec {
  if (points.length === 0) throw new Error('accuracyVsEpsSpec: no points');
  const values = points.map((p) => ({ run: p.run, eps: p.eps, accuracy: p.accuracy * 100, metric: p.metric ?? 'robust' }));
  const metrics = new Set(values.map((v) => v.metric));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title ?? 'Accuracy against eps',
    width: 360,
    height: 240,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'eps', type: 'quantitative', title: opts.epsTitle ?? 'eps (L-inf, [0,1] scale)' },
      y: { field: 'accuracy', type: 'quantitative', title: 'accuracy (%)' },
      color: { field: 'run', type: 'nominal' },
      ...(metrics.size > 1 ? { strokeDash: { field: 'metric', type: 'nominal' } } : {}),
    },
    config: { font: 'DejaVu Sans' },
  } as TopLevelSpec;
}

/** One point of a sweep chart: a series' value (mean over seeds, with its std) at one setting. */
export interface SweepPoint {
  /** Which panel the point belongs to (e.g. 'Robust accuracy (PGD-20)'). */
  panel: string;
  /** The line within the panel (e.g. the method). */
  series: string;
  /** The swept setting (e.g. training eps, or b). */
  x: number;
  /** In the panel's unit (accuracy in percent for the reproduction's charts). */
  value: number;
  /** Standard deviation over seeds; drawn as an error bar when > 0. */
  std?: number;
  /** A point to distrust (a collapsed mask, a failed attack): drawn as a black cross. */
  flagged?: boolean;
}

/**
 * A sweep as curves: one panel per distinct `panel` (side by side, in first-seen order), one line
 * per `series` coloured alike in every panel, error bars of ±std where a point has one, and
 * flagged points marked with a black cross (the legend says why only in the caption that goes
 * with the chart).
 */
export function sweepChartSpec(points: SweepPoint[], opts: { xTitle: string; yTitle?: string; title?: string }): TopLevelSpec {
  if (points.length === 0) throw new Error('sweepChartSpec: no points');
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.value)) throw new Error(`sweepChartSpec: point of ${p.series} in ${p.panel} is not finite (x ${p.x}, value ${p.value})`);
  }
  const panels = [...new Set(points.map((p) => p.panel))];
  const series = [...new Set(points.map((p) => p.series))];
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain: series } };
  const x = { field: 'x', type: 'quantitative', title: opts.xTitle, scale: { zero: false } };
  const yTitle = opts.yTitle ?? 'accuracy (%)';
  const panel = (name: string) => {
    const values = points
      .filter((p) => p.panel === name)
      .map((p) => ({ series: p.series, x: p.x, value: p.value, lo: p.value - (p.std ?? 0), hi: p.value + (p.std ?? 0), hasStd: (p.std ?? 0) > 0, flagged: p.flagged === true }));
    return {
      title: name,
      width: 300,
      height: 220,
      data: { values },
      layer: [
        {
          mark: { type: 'line', point: true },
          encoding: { x, y: { field: 'value', type: 'quantitative', title: yTitle, scale: { zero: false } }, color },
        },
        {
          transform: [{ filter: 'datum.hasStd' }],
          mark: { type: 'rule' },
          encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
        },
        {
          transform: [{ filter: 'datum.flagged' }],
          mark: { type: 'point', shape: 'cross', size: 160, color: 'black', filled: true },
          encoding: { x, y: { field: 'value', type: 'quantitative' } },
        },
      ],
    };
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(opts.title ? { title: { text: opts.title, anchor: 'middle', offset: 16, fontSize: 15 } } : {}),
    hconcat: panels.map(panel),
    config: { font: 'DejaVu Sans' },
  } as TopLevelSpec;
}
