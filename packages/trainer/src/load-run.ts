/**
 * Reading a finished (or interrupted) run back: its config, metrics and models.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { loadModelWeights, readJsonFile, recoverDir } from '@cat/core';
import { readCheckpointState, readOptimizerSnapshot, type CheckpointState } from './checkpoint.js';
import { resolveConfig, type TrainConfig } from './config.js';
import { coreDeps, type TrainData, type TrainDeps } from './deps.js';
import { readMetricsLog, type EpochMetrics } from './metrics-log.js';
import { runPaths } from './run-dir.js';
import type { OptimizerSnapshot } from './optimizers.js';

/** Dataset facts a model needs to be rebuilt; read from the dataset info, not the data. */
async function shapeOf(cfg: TrainConfig): Promise<TrainData> {
  const core = await import('@cat/core');
  const info = core.datasetInfo(cfg.dataset);
  const empty = { images: new Float32Array(0), labels: new Int32Array(0), count: 0, height: info.height, width: info.width, channels: info.channels };
  return { train: empty, test: empty, numClasses: info.numClasses, mean: info.mean, std: info.std };
}

/** Options for loading: how to rebuild the models (defaults to @cat/core's builders). */
export interface LoadOptions {
  buildModels?: TrainDeps['buildModels'];
  /** Dataset facts for building; defaults to @cat/core's `datasetInfo`. */
  data?: TrainData;
}

/** A checkpoint read back: its state, models built from its config with its weights, and optimiser state. */
export interface LoadedCheckpoint {
  state: CheckpointState;
  config: TrainConfig;
  f: tf.LayersModel;
  g?: tf.LayersModel;
  /** Optimiser state (tensors owned by the caller). */
  optimizers: { f: OptimizerSnapshot; g?: OptimizerSnapshot };
}

/**
 * Load a checkpoint dir (`RUN_DIR/checkpoints/last` or `best`). The models are built from the
 * config in its state.json and its weights loaded, so an architecture or shape mismatch is an
 * error naming the file. A half-written checkpoint is never seen (see commitDir).
 */
export async function loadCheckpoint(dir: string, opts: LoadOptions = {}): Promise<LoadedCheckpoint> {
  if (!fs.existsSync(dir) && !fs.existsSync(`${dir}.old`)) throw new Error(`${dir}: checkpoint directory does not exist`);
  recoverDir(dir);
  const state = readCheckpointState(dir);
  let config: TrainConfig;
  try {
    config = resolveConfig(state.config);
  } catch (err: any) {
    throw new Error(`${path.join(dir, 'state.json')}: invalid config: ${err?.message ?? err}`);
  }
  const hasG = fs.existsSync(path.join(dir, 'g'));
  const build = opts.buildModels ?? coreDeps.buildModels;
  const data = opts.data ?? (await shapeOf(config));
  const { f, g } = build(config, data, hasG);
  try {
    loadModelWeights(path.join(dir, 'f'), f, 'f (classifier)');
    if (g) loadModelWeights(path.join(dir, 'g'), g, 'g (mask network)');
  } catch (err) {
    f.dispose();
    g?.dispose();
    throw err;
  }
  const optimizers: LoadedCheckpoint['optimizers'] = { f: readOptimizerSnapshot(dir, 'f', state.optimizers.f) };
  if (state.optimizers.g) optimizers.g = readOptimizerSnapshot(dir, 'g', state.optimizers.g);
  return { state, config, f, g, optimizers };
}

/** A run read back. */
export interface LoadedRun {
  dir: string;
  config: TrainConfig;
  /** Epoch lines of metrics.jsonl (a torn last line skipped; see `warnings`). */
  metrics: EpochMetrics[];
  /** The classifier and mask net of the chosen checkpoint. */
  f: tf.LayersModel;
  g?: tf.LayersModel;
  /** The checkpoint loaded ('best' or 'last') and its state. */
  checkpoint: 'best' | 'last';
  state: CheckpointState;
  warnings: string[];
}

/**
 * Load a run dir: config.json, metrics.jsonl and the models of `checkpoints/<which>` (default
 * `best`, falling back to `last`). Errors name the file that is missing or malformed.
 */
export async function loadRun(dir: string, opts: LoadOptions & { checkpoint?: 'best' | 'last' } = {}): Promise<LoadedRun> {
  const paths = runPaths(dir);
  if (!fs.existsSync(dir)) throw new Error(`${dir}: run directory does not exist`);
  const raw = readJsonFile(paths.config, 'run config');
  let config: TrainConfig;
  try {
    config = resolveConfig(raw);
  } catch (err: any) {
    throw new Error(`${paths.config}: invalid config: ${err?.message ?? err}`);
  }
  const log = readMetricsLog(paths.metrics);
  let which = opts.checkpoint ?? 'best';
  recoverDir(paths.best);
  recoverDir(paths.last);
  if (opts.checkpoint === undefined && !fs.existsSync(paths.best)) which = 'last';
  const ckDir = which === 'best' ? paths.best : paths.last;
  if (!fs.existsSync(ckDir)) throw new Error(`${ckDir}: no checkpoint (the run has not finished an epoch)`);
  const ck = await loadCheckpoint(ckDir, opts);
  ck.optimizers.f.weights.forEach((w) => w.tensor.dispose());
  ck.optimizers.g?.weights.forEach((w) => w.tensor.dispose());
  return { dir, config, metrics: log.records, f: ck.f, g: ck.g, checkpoint: which, state: ck.state, warnings: log.warnings };
}
