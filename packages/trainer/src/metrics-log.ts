/**
 * `RUN_DIR/metrics.jsonl`: one JSON object per line, one line per finished epoch, appended
 * whole and fsynced. Readers skip a torn last line (a crash mid-append) with a warning.
 */
import * as fs from 'node:fs';
import { appendLineSynced, writeFileAtomic, type MaskStats } from '@cat/core';

/** One epoch's line in metrics.jsonl. */
export interface EpochMetrics {
  type: 'epoch';
  /** 1-based: the number of epochs finished when this line was written. */
  epoch: number;
  lr: number;
  /** Mean of each loss term the method reported over the epoch's steps. */
  losses: Record<string, number>;
  /** Natural accuracy on the test (sub)set, in [0,1]. */
  naturalAcc: number;
  /** PGD-10 accuracy on the test (sub)set, in [0,1]. */
  pgd10Acc: number;
  /** Training images per second over this epoch (excludes evaluation). */
  imagesPerSec: number;
  trainSeconds: number;
  evalSeconds: number;
  /** Wall time of the epoch, training plus evaluation plus checkpointing. */
  wallSeconds: number;
  /** Training steps taken so far in the whole run. */
  step: number;
  /**
   * Under MPI: seconds of this epoch's training that rank 0 spent in all-reduce calls (gradients
   * and losses; the transfer plus the wait for the slowest rank). Absent on one process.
   */
  allreduceSeconds?: number;
  /** CAT: the mean over the epoch's steps of the mask statistics (absent for methods without a mask). */
  mask?: MaskStats;
  /**
   * CAT: the same over the last quarter of the epoch's steps, where the mask stands at the end of
   * the epoch; the collapse guard reads this one.
   */
  maskEnd?: MaskStats;
}

/** The fields of an epoch line that depend on the computation only, not on timing. */
export function deterministicMetrics(m: EpochMetrics): Omit<EpochMetrics, 'imagesPerSec' | 'trainSeconds' | 'evalSeconds' | 'wallSeconds'> {
  const { imagesPerSec: _a, trainSeconds: _b, evalSeconds: _c, wallSeconds: _d, ...rest } = m;
  return rest;
}

/** What {@link readMetricsLog} found. */
export interface MetricsLog {
  records: EpochMetrics[];
  /** Warnings about lines that were skipped (a torn last line). */
  warnings: string[];
}

/**
 * Read metrics.jsonl. A last line that does not parse (or lacks its newline) is a torn append:
 * skipped with a warning. A bad line elsewhere means the file was damaged: an error naming it.
 * A missing file reads as empty.
 */
export function readMetricsLog(file: string): MetricsLog {
  if (!fs.existsSync(file)) return { records: [], warnings: [] };
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const endsClean = text.endsWith('\n') || text.length === 0;
  if (lines[lines.length - 1] === '') lines.pop();
  const records: EpochMetrics[] = [];
  const warnings: string[] = [];
  lines.forEach((line, i) => {
    const last = i === lines.length - 1;
    let parsed: any;
    try {
      parsed = JSON.parse(line);
      if (last && !endsClean) throw new Error('no trailing newline');
    } catch (err: any) {
      if (last) {
        warnings.push(`${file}: ignoring torn last line ${i + 1} (${err?.message ?? err})`);
        return;
      }
      throw new Error(`${file}: line ${i + 1} is not valid JSON (${err?.message ?? err})`);
    }
    if (parsed?.type === 'epoch') records.push(parsed as EpochMetrics);
  });
  return { records, warnings };
}

/** Append one epoch's line. */
export function appendMetrics(file: string, m: EpochMetrics): void {
  appendLineSynced(file, JSON.stringify(m));
}

/** Replace the whole log atomically (used on resume to drop lines past the checkpoint). */
export function rewriteMetricsLog(file: string, records: EpochMetrics[]): void {
  writeFileAtomic(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}
