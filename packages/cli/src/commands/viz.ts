/**
 * `cat-cli viz RUN_DIR...`: the paper's Figure 2 mask grid (CAT runs), training curves from
 * metrics.jsonl and, with --eps-curve, PGD accuracy against eps across runs; PNG and SVG each.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { asClassifier, asMaskNet, BACKEND_NAMES, createEvalAttack, type BackendName, type ImageSet } from '@cat/core';
import type { LoadedRun } from '@cat/trainer';
import {
  accuracyVsEps,
  accuracyVsEpsSpec,
  figure2Data,
  maskGridFigure,
  renderVegaLite,
  trainingCurvesSpec,
  type EpsPoint,
  type Figure,
} from '@cat/viz';
import { CliError } from '../errors.js';
import { choiceArg, numberArg } from '../options.js';
import { loadRunForCli, selectBackend, testSetCache } from './eval.js';

/** Options of {@link runFigures} and {@link vizRuns}. */
export interface VizOptions {
  /** Test images (indices into the test set) of the mask grid; default the first `grid`. */
  images?: number[];
  /** Columns of the mask grid when `images` is not given (default 8). */
  grid?: number;
  /** Attack of the grid's adversarial row (default pgd20) and its eps (default the run's). */
  attack?: string;
  eps?: number;
  /** Query budget when the grid's attack is square (default 5000). */
  squareQueries?: number;
  /** Pixel upscaling of the grid (default 4). */
  scale?: number;
  checkpoint?: 'best' | 'last';
}

/** Figures of one run: the mask grid (runs with a mask net) and the training curves. */
export interface RunFigures {
  maskGrid?: Figure;
  curves?: Figure;
}

/** Parses `1,5,9` into test-image indices. */
export function parseIndexList(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const out = parts.map((p) => {
    if (!/^\d+$/.test(p)) throw new CliError(`--images: expected comma-separated test-image indices, got '${text}'`);
    return Number(p);
  });
  if (out.length === 0) throw new CliError('--images: no indices');
  return out;
}

/** Parses `0,0.1,0.2` into eps values in [0,1]. */
export function parseEpsList(text: string): number[] {
  const out = text.split(',').map((s) => s.trim()).map((p) => {
    const v = p.includes('/') ? Number(p.split('/')[0]) / Number(p.split('/')[1]) : Number(p);
    if (p === '' || !Number.isFinite(v) || v < 0 || v > 1) throw new CliError(`--eps-curve: expected eps values in [0,1] like 0,0.1,8/255, got '${p}'`);
    return v;
  });
  return out;
}

/** Picks images `idx` of a set as tensors (errors name a bad index). */
export function pickImages(set: ImageSet, idx: number[]): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const d = set.height * set.width * set.channels;
  const data = new Float32Array(idx.length * d);
  const labels = new Int32Array(idx.length);
  idx.forEach((i, j) => {
    if (!Number.isInteger(i) || i < 0 || i >= set.count) throw new CliError(`--images: index ${i} is outside the test set (0..${set.count - 1})`);
    data.set(set.images.subarray(i * d, (i + 1) * d), j * d);
    labels[j] = set.labels[i];
  });
  return { x: tf.tensor4d(data, [idx.length, set.height, set.width, set.channels]), y: tf.tensor1d(labels, 'int32') };
}

/** Draws the mask grid (when the run has a mask net) and the training curves of one run. */
export async function runFigures(run: LoadedRun, test: ImageSet, opts: VizOptions = {}): Promise<RunFigures> {
  const out: RunFigures = {};
  if (run.g) {
    const idx = opts.images ?? Array.from({ length: Math.min(opts.grid ?? 8, test.count) }, (_, i) => i);
    const { x, y } = pickImages(test, idx);
    const eps = opts.eps ?? run.config.eps;
    const attack = createEvalAttack(opts.attack ?? 'pgd20', { eps, dataset: run.config.dataset, squareQueries: opts.squareQueries });
    const data = figure2Data(asClassifier(run.f), asMaskNet(run.g), x, y, attack);
    out.maskGrid = maskGridFigure(data, {
      scale: opts.scale ?? 4,
      columnLabels: data.labels.map((l, i) => `y=${l}: ${data.predictions.adversarial[i]}/${data.predictions.calibrated[i]}`),
    });
    tf.dispose([x, y, data.natural, data.adversarial, data.mask, data.calibrated]);
  }
  if (run.metrics.length > 0) {
    out.curves = await renderVegaLite(trainingCurvesSpec([{ label: path.basename(path.resolve(run.dir)), metrics: run.metrics as never }]));
  }
  return out;
}

/** Writes a figure as NAME.svg and NAME.png; returns the paths. */
export function writeFigure(dir: string, name: string, fig: Figure): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const svg = path.join(dir, `${name}.svg`);
  const png = path.join(dir, `${name}.png`);
  fs.writeFileSync(svg, fig.svg);
  fs.writeFileSync(png, fig.png);
  return [svg, png];
}

interface VizFlags extends VizOptions {
  out?: string;
  epsCurve?: number[];
  limit?: number;
  backend?: BackendName;
}

/** The `viz` command's work: returns the files written. */
export async function vizRuns(dirs: string[], flags: VizFlags, log: (l: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  if (dirs.length === 0) throw new CliError('viz: give at least one RUN_DIR');
  await selectBackend(flags.backend);
  const testSet = await testSetCache();
  const files: string[] = [];
  const points: EpsPoint[] = [];
  const outFor = (dir: string) => flags.out ?? path.join(dir, 'viz');
  for (const dir of dirs) {
    const run = await loadRunForCli(dir, flags.checkpoint);
    try {
      const test = await testSet(run.config.dataset, run.config.dataDir);
      const figs = await runFigures(run, test, flags);
      const prefix = flags.out && dirs.length > 1 ? `${path.basename(path.resolve(dir))}-` : '';
      if (figs.maskGrid) files.push(...writeFigure(outFor(dir), `${prefix}mask-grid`, figs.maskGrid));
      else log(`${dir}: no mask network (method ${run.config.method}), no mask grid`);
      if (figs.curves) files.push(...writeFigure(outFor(dir), `${prefix}training-curves`, figs.curves));
      else log(`${dir}: metrics.jsonl has no epoch lines, no training curves`);
      if (flags.epsCurve) {
        const label = `${path.basename(path.resolve(dir))} (${run.config.method})`;
        points.push(
          ...(await accuracyVsEps(label, asClassifier(run.f), test, flags.epsCurve, {
            dataset: run.config.dataset,
            limit: flags.limit ?? 200,
            batchSize: 100,
          })),
        );
      }
    } finally {
      run.f.dispose();
      run.g?.dispose();
    }
  }
  if (points.length > 0) {
    const fig = await renderVegaLite(accuracyVsEpsSpec(points, { title: 'PGD-20 accuracy against eps' }));
    files.push(...writeFigure(flags.out ?? (dirs.length === 1 ? outFor(dirs[0]) : 'viz'), 'accuracy-vs-eps', fig));
  }
  for (const f of files) log(`wrote ${f}`);
  return files;
}

/** Registers `viz` on the program. */
export function registerViz(program: Command): void {
  program
    .command('viz')
    .description("draw a run's pictures: the paper's Figure 2 mask grid, training curves, accuracy against eps (PNG + SVG)")
    .argument('<run-dirs...>', 'run directories')
    .option('--out <dir>', 'output folder (default RUN_DIR/viz)')
    .option('--images <list>', 'test-image indices of the mask grid, e.g. 0,7,42', parseIndexList)
    .option('--grid <n>', 'columns of the mask grid (default 8, the first test images)', numberArg({ integer: true, min: 1, max: 64 }))
    .option('--scale <n>', 'pixel upscaling of the mask grid (default 4)', numberArg({ integer: true, min: 1, max: 32 }))
    .option('--attack <name>', 'attack of the adversarial row (default pgd20)')
    .option('--eps <eps>', "eps of that attack (default the run's)", numberArg({ min: 0, max: 1 }))
    .option('--square-queries <n>', 'query budget when --attack is square (default 5000)', numberArg({ integer: true, min: 1 }))
    .option('--eps-curve <list>', 'also plot PGD-20 accuracy at these eps values, e.g. 0,0.1,0.2,0.3', parseEpsList)
    .option('--limit <n>', 'test images per point of the eps curve (default 200)', numberArg({ integer: true, min: 1 }))
    .option('--checkpoint <which>', 'best or last', choiceArg(['best', 'last']))
    .option('--backend <name>', 'tfjs backend (default: the best available)', choiceArg(BACKEND_NAMES))
    .action(async (dirs: string[], flags: VizFlags) => {
      await vizRuns(dirs, flags);
    });
}
