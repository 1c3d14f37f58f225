/**
 * The reproduction's numbers: per run, the accuracies and whatever makes them suspect (a
 * collapsed CAT mask, an attack that found nothing, a failure); per cell, mean ± std over seeds;
 * per sweep, the points of its chart. Pure functions over plain data, so they are tested on
 * hand-written values.
 */
import { isMaskCollapsed, meanStd, PAPER_COLUMNS, type MaskStats, type SanityFinding, type TableCell } from '@cat/core';
import type { SweepPoint } from '@cat/viz';
import type { GridCell, GridName } from './grids.js';

/** Why a run's numbers need a second look; `kind` decides how loudly. */
export interface RunNote {
  kind: 'mask-collapse' | 'attack-failed' | 'at-chance' | 'sanity' | 'failed';
  message: string;
}

/** One run (a cell at one seed) as the reproduction saw it. */
export interface RunRecord {
  cell: string;
  seed: number;
  dir: string;
  /** done: trained and evaluated; mask-collapse: training stopped on a collapsed mask; failed: an error. */
  status: 'done' | 'mask-collapse' | 'failed';
  /** Epochs in metrics.jsonl. */
  epochs: number;
  /** Accuracy in [0,1] by column key (natural, fgsm, pgd20, pgd100, cw, autoattack); null: not evaluated. */
  accuracies: Record<string, number> | null;
  /** Test images each column was measured on. */
  images: Record<string, number>;
  /** The mask statistics of the last epoch (CAT runs made after the mask statistics existed), else null. */
  lastMask: MaskStats | null;
  /** Training wall-clock: the sum of the epochs' wall seconds in metrics.jsonl (all invocations). */
  trainSeconds: number | null;
  /** Evaluation wall-clock (all passes, whenever they ran). */
  evalSeconds: number | null;
  /** Seconds this invocation spent on the run (0 when all of it was skipped). */
  wallSeconds: number;
  /** What this invocation skipped because it was already done. */
  skipped: { training: boolean; evaluation: boolean };
  notes: RunNote[];
}

/** A table column: its key (an attack name, 'avg', 'natural+pgd20') and header. */
export interface Column {
  key: string;
  header: string;
}

/** The extra column of the sweeps: the paper's Figure 3 plots natural + robust accuracy. */
export const SUM_COLUMN: Column = { key: 'natural+pgd20', header: 'Natural + PGD-20' };
export const AVG_COLUMN: Column = { key: 'avg', header: 'Avg' };

/** The columns of a grid's table: the paper's, those the runs have, in the paper's order; Avg last. */
export function tableColumns(grid: GridName, attackKeys: string[]): Column[] {
  const keys = ['natural', ...attackKeys];
  const cols = PAPER_COLUMNS.filter((c) => keys.includes(c.key)).map((c) => ({ key: c.key, header: c.header }));
  for (const k of keys) if (!cols.some((c) => c.key === k)) cols.push({ key: k, header: k });
  return [...cols, ...(grid === 'table1' ? [] : [SUM_COLUMN]), AVG_COLUMN];
}

/** Reads `metrics.mask` defensively: runs made before the mask statistics have none. */
export function readMask(value: unknown): MaskStats | null {
  if (value === null || typeof value !== 'object') return null;
  const m = value as Record<string, unknown>;
  if (typeof m.low !== 'number' || !Number.isFinite(m.low)) return null;
  const num = (k: string) => (typeof m[k] === 'number' && Number.isFinite(m[k]) ? (m[k] as number) : undefined);
  const out: MaskStats = { mean: num('mean') ?? Number.NaN, low: m.low, high: num('high') ?? Number.NaN };
  const stroke = num('stroke');
  const background = num('background');
  if (stroke !== undefined) out.stroke = stroke;
  if (background !== undefined) out.background = background;
  return out;
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** PGD-20 counts as having found nothing when it leaves a model with more natural accuracy than this untouched. */
export const ATTACK_FAILED_ABOVE = 0.2;

/**
 * A model whose natural accuracy is at most this many times chance (1 / classes) did not learn:
 * its robust columns are chance too and say nothing about the method's robustness.
 */
export const AT_CHANCE_FACTOR = 1.5;

/**
 * The notes that make a run's numbers suspect:
 * - its last epoch line has `mask.low` (or `maskEnd.low`) above 0.99: the mask collapsed and CAT
 *   trained as natural training;
 * - it stopped on a collapsed mask (`collapse`: the trainer's MaskCollapseError);
 * - PGD-20 found no adversarial example (robust = natural) on a model above 20% natural accuracy;
 * - the model did not learn: natural accuracy at most 1.5 x chance (`classes`, default 10);
 * - the gradient-masking sanity check of the evaluation found something.
 */
export function runNotes(input: {
  metrics: readonly { epoch?: number; mask?: unknown; maskEnd?: unknown }[];
  collapse?: { epoch: number; message?: string } | null;
  accuracies: Record<string, number> | null;
  sanity?: readonly SanityFinding[];
  classes?: number;
}): RunNote[] {
  const notes: RunNote[] = [];
  const last = input.metrics[input.metrics.length - 1];
  const mask = readMask(last?.mask);
  const maskEnd = readMask(last?.maskEnd);
  const collapsed = [mask, maskEnd].find((m) => m !== null && isMaskCollapsed(m));
  if (collapsed) {
    notes.push({
      kind: 'mask-collapse',
      message:
        `mask collapsed: in the last epoch (${last?.epoch ?? '?'}) ${pct(collapsed.low)} of the mask values were below 0.01 ` +
        `(mean ${Number.isFinite(collapsed.mean) ? collapsed.mean.toFixed(3) : '?'}), so the calibrated example was the natural image and CAT trained as natural training`,
    });
  }
  if (input.collapse) {
    const evaluated = input.metrics.length > 0 ? `its epoch-${input.metrics.length} checkpoint is what was evaluated` : 'no epoch had finished, so there is nothing to evaluate';
    notes.push({
      kind: 'mask-collapse',
      message:
        `mask collapsed in epoch ${input.collapse.epoch}: training stopped there (MaskCollapseError); ${evaluated} ` +
        '(the cat recipe has a remedy; --allow-mask-collapse trains on regardless)',
    });
  }
  const acc = input.accuracies;
  if (acc && typeof acc.natural === 'number' && typeof acc.pgd20 === 'number' && acc.natural > ATTACK_FAILED_ABOVE && acc.pgd20 >= acc.natural) {
    notes.push({
      kind: 'attack-failed',
      message: `PGD-20 found no adversarial example (PGD-20 = natural = ${pct(acc.natural)}): the attack failed on this model; suspect gradient masking`,
    });
  }
  const chance = 1 / (input.classes ?? 10);
  if (acc && typeof acc.natural === 'number' && acc.natural <= AT_CHANCE_FACTOR * chance) {
    notes.push({
      kind: 'at-chance',
      message:
        `did not learn: natural accuracy ${pct(acc.natural)} is at chance level (${pct(chance)}), so its robust columns are chance too; ` +
        'the method failed to train at this budget (epochs, data, eps), which says nothing about its robustness',
    });
  }
  for (const f of input.sanity ?? []) notes.push({ kind: 'sanity', message: `sanity check [${f.check}]: ${f.message}` });
  return notes;
}

/** One run's value of a column in percent (Avg: the mean of natural and every robust column it has). */
export function runValue(acc: Record<string, number>, key: string, attackKeys: readonly string[]): number | undefined {
  if (key === AVG_COLUMN.key) {
    const vals = ['natural', ...attackKeys].map((k) => acc[k]).filter((v): v is number => typeof v === 'number');
    return vals.length > 0 ? (100 * vals.reduce((a, v) => a + v, 0)) / vals.length : undefined;
  }
  if (key === SUM_COLUMN.key) return typeof acc.natural === 'number' && typeof acc.pgd20 === 'number' ? 100 * (acc.natural + acc.pgd20) : undefined;
  return typeof acc[key] === 'number' ? 100 * acc[key] : undefined;
}

/**
 * Mean ± std (in percent) of each column over the runs that have it. The std is the sample
 * standard deviation (n - 1, numpy's `std(ddof=1)`; 0 for a single run), as `cat-cli eval`
 * reports it.
 */
export function aggregateRuns(runs: readonly Pick<RunRecord, 'accuracies'>[], columns: readonly Column[], attackKeys: readonly string[]): Record<string, TableCell | null> {
  const out: Record<string, TableCell | null> = {};
  for (const c of columns) {
    const vals = runs.flatMap((r) => {
      const v = r.accuracies ? runValue(r.accuracies, c.key, attackKeys) : undefined;
      return v === undefined ? [] : [v];
    });
    out[c.key] = vals.length > 0 ? { ...meanStd(vals), count: vals.length } : null;
  }
  return out;
}

/** A row of the reproduction's table: a cell, its aggregate and its runs. */
export interface ReproduceRow {
  cell: GridCell;
  /** The cell's training settings in words (for the caption). */
  settings: string;
  values: Record<string, TableCell | null>;
  runs: RunRecord[];
}

/** The rows' notes, numbered in table order: `[1] cat-cent seed 0: mask collapsed ...`. */
export function numberNotes(rows: readonly ReproduceRow[]): { row: number; index: number; seed: number; note: RunNote }[] {
  const out: { row: number; index: number; seed: number; note: RunNote }[] = [];
  rows.forEach((r, row) => {
    for (const run of r.runs) for (const note of run.notes) out.push({ row, index: out.length + 1, seed: run.seed, note });
  });
  return out;
}

/**
 * The points of a sweep's chart. eps sweep (Figure 3): PGD-20 accuracy, and natural + PGD-20,
 * against the training eps, one line per method. b sweep (Table 8): natural and PGD-20 accuracy
 * against b. Points of rows with a collapsed mask, a failed attack or a failure are flagged.
 */
export function sweepPoints(grid: GridName, rows: readonly ReproduceRow[]): SweepPoint[] {
  const points: SweepPoint[] = [];
  for (const r of rows) {
    if (r.cell.x === undefined) continue;
    const flagged = r.runs.some((run) => run.notes.some((n) => n.kind !== 'sanity'));
    const add = (panel: string, series: string, key: string) => {
      const c = r.values[key];
      if (c) points.push({ panel, series, x: r.cell.x!, value: c.mean, std: c.std, flagged });
    };
    if (grid === 'eps-sweep') {
      add('Robust accuracy (PGD-20)', r.cell.label, 'pgd20');
      add('Natural + robust accuracy (PGD-20)', r.cell.label, SUM_COLUMN.key);
    } else {
      add(`${r.cell.label}: accuracy against b`, 'Natural', 'natural');
      add(`${r.cell.label}: accuracy against b`, 'PGD-20', 'pgd20');
    }
  }
  return points;
}
