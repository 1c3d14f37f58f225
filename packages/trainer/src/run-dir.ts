/**
 * The run directory: its layout, and the decision whether a run may start, resume or must be
 * refused because the directory holds a different run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonFile, recoverDir, removeStaleTemps, writeFileAtomic } from '@cat/core';
import { configDifferences, type TrainConfig } from './config.js';

/** Paths inside a run directory (the layout every package agrees on). */
export interface RunPaths {
  root: string;
  config: string;
  metrics: string;
  checkpoints: string;
  last: string;
  best: string;
}

/** The layout of the run directory `root`. */
export function runPaths(root: string): RunPaths {
  const checkpoints = path.join(root, 'checkpoints');
  return {
    root,
    config: path.join(root, 'config.json'),
    metrics: path.join(root, 'metrics.jsonl'),
    checkpoints,
    last: path.join(checkpoints, 'last'),
    best: path.join(checkpoints, 'best'),
  };
}

/** Thrown when the output directory holds something the run must not overwrite. */
export class RunDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunDirError';
  }
}

/** How a run starts: fresh, or from a checkpoint. */
export interface RunDirPlan {
  paths: RunPaths;
  /** The checkpoint to resume from, or null for a fresh start. */
  resumeFrom: string | null;
  warnings: string[];
}

/** Finish or undo whatever a killed writer left half-done in the run dir. */
export function repairRunDir(paths: RunPaths): void {
  for (const d of [paths.last, paths.best]) {
    recoverDir(d);
    removeStaleTemps(d);
  }
  removeStaleTemps(paths.config);
  removeStaleTemps(paths.metrics);
}

/**
 * Decide how a run in `cfg.out` starts, and write `config.json` for a fresh one.
 * - empty or missing dir: fresh start;
 * - `force`: the previous run's config, metrics and checkpoints are deleted, fresh start;
 * - `resume`: the saved config must match (all but out/backend); continues from
 *   checkpoints/last, or starts fresh when no checkpoint was completed yet;
 * - otherwise a dir that already holds a run is refused (a different one, or this one:
 *   finished work is never overwritten without `--force`).
 */
export function prepareRunDir(cfg: TrainConfig, opts: { resume?: boolean; force?: boolean }): RunDirPlan {
  const paths = runPaths(cfg.out);
  const warnings: string[] = [];
  if (fs.existsSync(paths.root) && !fs.statSync(paths.root).isDirectory()) {
    throw new RunDirError(`--out ${paths.root}: exists and is not a directory`);
  }
  fs.mkdirSync(paths.root, { recursive: true });
  const hasConfig = fs.existsSync(paths.config);
  const hasRunFiles = fs.existsSync(paths.checkpoints) || fs.existsSync(paths.metrics);

  if (opts.force) {
    for (const p of [paths.config, paths.metrics]) fs.rmSync(p, { force: true });
    fs.rmSync(paths.checkpoints, { recursive: true, force: true });
  } else if (hasConfig) {
    repairRunDir(paths);
    const saved = readJsonFile(paths.config, 'run config');
    const diffs = configDifferences(saved, cfg);
    if (diffs.length > 0) {
      throw new RunDirError(
        `--out ${paths.root}: holds a different run (config.json differs in ${diffs.join('; ')}). ` +
          `Choose another --out, or pass --force to delete that run and start over.`,
      );
    }
    if (!opts.resume) {
      throw new RunDirError(
        `--out ${paths.root}: already holds this run. Pass --resume to continue it, or --force to delete it and start over.`,
      );
    }
    if (saved.backend !== cfg.backend) {
      warnings.push(`resuming on backend ${cfg.backend}; the run started on ${saved.backend}, so results may differ in the last bits`);
    }
    if (fs.existsSync(path.join(paths.last, 'state.json'))) return { paths, resumeFrom: paths.last, warnings };
    warnings.push(`--resume: ${paths.root} has no complete checkpoint yet; starting from epoch 1`);
  } else if (hasRunFiles) {
    throw new RunDirError(
      `--out ${paths.root}: holds checkpoints or metrics but no config.json (not a complete cat run). ` +
        `Choose another --out, or pass --force to delete them.`,
    );
  } else if (opts.resume) {
    warnings.push(`--resume: ${paths.root} holds no run yet; starting from epoch 1`);
  }
  // Fresh start: nothing from an earlier attempt of this run may leak into the new one.
  fs.rmSync(paths.checkpoints, { recursive: true, force: true });
  fs.rmSync(paths.metrics, { force: true });
  writeFileAtomic(paths.config, `${JSON.stringify(cfg, null, 2)}\n`);
  return { paths, resumeFrom: null, warnings };
}
