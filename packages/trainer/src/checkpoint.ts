/**
 * Checkpoints: `f/`, `g/` (tfjs layers format, written by @cat/core's saveModel), `optimizer/{f,g}.bin` and `state.json`, staged in
 * a temporary directory, every file fsynced, then moved into place (see commitDir), so the
 * previous checkpoint stays intact until the new one is complete.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  commitDir,
  decodeTensors,
  encodeTensors,
  fsyncDir,
  loadModelWeights,
  makeStagingDir,
  readJsonFile,
  recoverDir,
  saveModel,
  writeFileSynced,
  type RngState,
} from '@cat/core';
import type { TrainConfig } from './config.js';
import type { EpochMetrics } from './metrics-log.js';
import { restoreOptimizer, snapshotOptimizer, type OptimizerSnapshot } from './optimizers.js';

/** An optimiser's state as stored in state.json; its tensors are in `optimizer/<net>.bin`. */
export interface OptimizerRecord {
  className: string;
  learningRate: number;
  accBeta1?: number;
  accBeta2?: number;
  specs: tf.io.WeightsManifestEntry[];
}

/** `state.json` of a checkpoint. */
export interface CheckpointState {
  format: 'cat-checkpoint';
  version: 1;
  /** Epochs finished when it was written; a resume continues with the next one. */
  epoch: number;
  /** Training steps finished. */
  step: number;
  config: TrainConfig;
  /** The training RNG as it stood after `epoch` epochs. */
  rng: RngState;
  optimizers: { f: OptimizerRecord; g?: OptimizerRecord };
  /** Every epoch's metrics up to `epoch`. */
  metrics: EpochMetrics[];
  /** Best natural + PGD-10 accuracy so far and its epoch. */
  best: { score: number; epoch: number } | null;
  /** Training wall time summed over all sessions of the run. */
  elapsedSeconds: number;
  savedAt: string;
}

/** The live objects a checkpoint is taken from or restored into. */
export interface CheckpointTarget {
  f: tf.LayersModel;
  g?: tf.LayersModel;
  optF: tf.Optimizer;
  optG?: tf.Optimizer;
}

async function writeOptimizer(opt: tf.Optimizer, file: string): Promise<OptimizerRecord> {
  const snap = await snapshotOptimizer(opt);
  try {
    const { specs, data } = await encodeTensors(snap.weights);
    writeFileSynced(file, data);
    const { weights: _w, ...meta } = snap;
    return { ...meta, specs };
  } finally {
    tf.dispose(snap.weights.map((w) => w.tensor));
  }
}

/**
 * Write a complete checkpoint to `dir` (e.g. `RUN_DIR/checkpoints/last`). `state` is everything
 * of state.json except the optimiser records, which are filled in here.
 */
export async function saveCheckpoint(
  dir: string,
  target: CheckpointTarget,
  state: Omit<CheckpointState, 'optimizers' | 'format' | 'version' | 'savedAt'>,
): Promise<void> {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const staging = makeStagingDir(dir);
  try {
    await saveModel(target.f, path.join(staging, 'f'));
    if (target.g) await saveModel(target.g, path.join(staging, 'g'));
    fs.mkdirSync(path.join(staging, 'optimizer'));
    const optimizers: CheckpointState['optimizers'] = {
      f: await writeOptimizer(target.optF, path.join(staging, 'optimizer', 'f.bin')),
    };
    if (target.optG) optimizers.g = await writeOptimizer(target.optG, path.join(staging, 'optimizer', 'g.bin'));
    const full: CheckpointState = { format: 'cat-checkpoint', version: 1, ...state, optimizers, savedAt: new Date().toISOString() };
    writeFileSynced(path.join(staging, 'state.json'), JSON.stringify(full, null, 1));
    fsyncDir(path.join(staging, 'optimizer'));
    commitDir(staging, dir);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

/** Read and check a checkpoint's state.json (errors name the file). */
export function readCheckpointState(dir: string): CheckpointState {
  recoverDir(dir);
  const file = path.join(dir, 'state.json');
  const s = readJsonFile(file, 'checkpoint state');
  if (s?.format !== 'cat-checkpoint') throw new Error(`${file}: not a cat checkpoint (format is ${JSON.stringify(s?.format)}, expected "cat-checkpoint")`);
  if (s.version !== 1) throw new Error(`${file}: unsupported checkpoint version ${JSON.stringify(s.version)} (this cat reads version 1)`);
  if (!Number.isInteger(s.epoch) || s.epoch < 0) throw new Error(`${file}: "epoch" must be an integer >= 0, got ${JSON.stringify(s.epoch)}`);
  if (!Array.isArray(s.rng?.s) || s.rng.s.length !== 4) throw new Error(`${file}: "rng" must be {s: [4 integers]}`);
  if (!s.config || typeof s.config !== 'object') throw new Error(`${file}: "config" is missing`);
  if (!s.optimizers?.f) throw new Error(`${file}: "optimizers.f" is missing`);
  if (!Array.isArray(s.metrics)) throw new Error(`${file}: "metrics" must be a list`);
  return s as CheckpointState;
}

/** Read one optimiser's saved state (tensors owned by the caller). */
export function readOptimizerSnapshot(dir: string, net: 'f' | 'g', rec: OptimizerRecord): OptimizerSnapshot {
  const file = path.join(dir, 'optimizer', `${net}.bin`);
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (err: any) {
    throw new Error(`${file}: cannot read optimiser state (${err?.code ?? err})`);
  }
  const { specs, ...meta } = rec;
  return { ...meta, weights: decodeTensors(file, bytes, specs) };
}

/**
 * Restore weights and optimiser state of a checkpoint into live models and optimisers built
 * from the same config. Throws, naming the file, on a missing file or an architecture mismatch.
 */
export async function restoreCheckpoint(dir: string, target: CheckpointTarget): Promise<CheckpointState> {
  const state = readCheckpointState(dir);
  loadModelWeights(path.join(dir, 'f'), target.f, 'f (classifier)');
  if (target.g) loadModelWeights(path.join(dir, 'g'), target.g, 'g (mask network)');
  const nets: Array<['f' | 'g', tf.Optimizer | undefined]> = [['f', target.optF], ['g', target.optG]];
  for (const [net, opt] of nets) {
    const rec = state.optimizers[net];
    if (!opt) continue;
    if (!rec) throw new Error(`${path.join(dir, 'state.json')}: no optimiser state for ${net}`);
    const snap = readOptimizerSnapshot(dir, net, rec);
    try {
      await restoreOptimizer(opt, snap);
    } finally {
      tf.dispose(snap.weights.map((w) => w.tensor));
    }
  }
  return state;
}
