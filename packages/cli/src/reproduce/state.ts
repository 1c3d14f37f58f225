/**
 * What a reproduction finds in a run directory: how far its training got, whether an earlier
 * invocation saw its mask collapse, and which evaluations are already there, so that a killed
 * reproduction continues where it stopped and a finished one skips everything.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetInfo, readJsonFile, writeFileAtomic } from '@cat/core';
import { configDifferences, readMetricsLog, runPaths, type EpochMetrics, type TrainConfig } from '@cat/trainer';
import { readEvalJson, type EvalJson } from '../commands/eval.js';

/** The reproduction's own notes in a run dir (next to config.json, metrics.jsonl and eval.json). */
export const RUN_RECORD_FILE = 'reproduce-run.json';

/** One evaluation pass as asked: its attacks, images, eps and the AutoAttack budgets. */
export interface EvalRequest {
  attacks: string[];
  limit: number;
  eps: number;
  apgdIter?: number;
  fabIter?: number;
  squareQueries?: number;
}

/** An evaluation pass: the main attacks (eval.json) or AutoAttack on fewer images (eval-autoattack/eval.json). */
export type EvalPass = 'main' | 'autoattack';

/** A training attempt the collapse guard stopped. */
export interface Collapse {
  epoch: number;
  message: string;
  seconds: number;
}

/** What `reproduce-run.json` holds. */
export interface RunRecordFile {
  format: 'cat-reproduce-run';
  version: 1;
  /**
   * Set when training stopped because the CAT mask collapsed (the trainer's MaskCollapseError):
   * in which epoch, the trainer's message, and the seconds the stopped attempt trained.
   */
  collapse?: Collapse | null;
  /** Each pass as it was asked and how long it took. */
  eval?: Partial<Record<EvalPass, { request: EvalRequest; seconds: number }>>;
}

/** Where a pass writes its eval.json. */
export function evalDir(runDir: string, pass: EvalPass): string {
  return pass === 'main' ? runDir : path.join(runDir, 'eval-autoattack');
}

export function readRunRecord(dir: string): RunRecordFile {
  const file = path.join(dir, RUN_RECORD_FILE);
  if (!fs.existsSync(file)) return { format: 'cat-reproduce-run', version: 1 };
  const data = readJsonFile(file, 'reproduction record') as unknown as RunRecordFile;
  return { ...data, format: 'cat-reproduce-run', version: 1 };
}

export function writeRunRecord(dir: string, rec: RunRecordFile): void {
  writeFileAtomic(path.join(dir, RUN_RECORD_FILE), `${JSON.stringify(rec, null, 1)}\n`);
}

/** How far a run dir's training is, for the run `cfg` describes. */
export type TrainingState =
  | { kind: 'fresh' }
  | { kind: 'partial'; epochs: number }
  | { kind: 'finished'; epochs: number }
  | { kind: 'collapsed'; epochs: number; collapse: Collapse }
  | { kind: 'different'; diffs: string[] };

/** The epoch lines of a run dir's metrics.jsonl (a torn last line skipped). */
export function runMetrics(dir: string): EpochMetrics[] {
  return readMetricsLog(runPaths(dir).metrics).records;
}

/**
 * Finished: metrics.jsonl holds `cfg.epochs` epoch lines and checkpoints/last exists. Collapsed:
 * an earlier invocation stopped on a collapsed mask (deterministic, so it is not retried unless
 * the collapse is allowed now). Different: config.json describes another run.
 */
export function trainingState(dir: string, cfg: TrainConfig): TrainingState {
  const paths = runPaths(dir);
  if (!fs.existsSync(paths.config)) return { kind: 'fresh' };
  const diffs = configDifferences(readJsonFile(paths.config, 'run config'), cfg);
  if (diffs.length > 0) return { kind: 'different', diffs };
  const epochs = runMetrics(dir).length;
  const hasLast = fs.existsSync(path.join(paths.last, 'state.json')) || fs.existsSync(path.join(`${paths.last}.old`, 'state.json'));
  if (epochs >= cfg.epochs && hasLast) return { kind: 'finished', epochs };
  const collapse = readRunRecord(dir).collapse;
  if (collapse && !cfg.allowMaskCollapse) return { kind: 'collapsed', epochs, collapse: { ...collapse, seconds: collapse.seconds ?? 0 } };
  return { kind: 'partial', epochs };
}

/** Whether a run has a checkpoint to evaluate. */
export function hasCheckpoint(dir: string): boolean {
  const p = runPaths(dir);
  return [p.best, p.last].some((d) => fs.existsSync(path.join(d, 'state.json')) || fs.existsSync(path.join(`${d}.old`, 'state.json')));
}

/** Forgets a run's evaluations (its training is about to change the checkpoints they measured). */
export function clearEvaluations(dir: string): void {
  for (const pass of ['main', 'autoattack'] as const) {
    const d = evalDir(dir, pass);
    for (const f of ['eval.json', 'eval.md']) fs.rmSync(path.join(d, f), { force: true });
  }
  const rec = readRunRecord(dir);
  if (rec.eval) writeRunRecord(dir, { ...rec, eval: undefined });
}

/**
 * A pass's eval.json when it already answers `request`: one run, exactly natural plus the asked
 * attacks, on as many images as asked (or the whole test set when smaller), at the asked eps, and
 * (when the reproduction ran it) with the same AutoAttack budgets. Null when it must run.
 */
export function finishedEval(dir: string, pass: EvalPass, request: EvalRequest, dataset: string): EvalJson | null {
  const file = path.join(evalDir(dir, pass), 'eval.json');
  if (!fs.existsSync(file)) return null;
  let runs: EvalJson[];
  try {
    runs = readEvalJson(file).runs;
  } catch {
    return null;
  }
  const r = runs.length === 1 ? runs[0] : null;
  if (!r) return null;
  const names = r.attacks.map((a) => a.name);
  const want = ['natural', ...request.attacks];
  if (names.length !== want.length || names.some((n, i) => n !== want[i])) return null;
  if (r.n !== Math.min(request.limit, datasetInfo(dataset as never).testCount)) return null;
  if (Math.abs(r.eps - request.eps) > 1e-9) return null;
  const asked = readRunRecord(dir).eval?.[pass]?.request;
  if (asked && JSON.stringify(asked) !== JSON.stringify(request)) return null;
  return r;
}
