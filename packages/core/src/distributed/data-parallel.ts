/**
 * Data-parallel training over the ranks of a communicator: the same models on every rank, each
 * global batch split into one shard per rank, the gradients summed (weighted by shard size) by
 * all-reduce before every optimiser step, so the ranks stay identical and a step means what it
 * means on one process with the whole batch. BatchNorm statistics stay per rank (each rank
 * normalises its own shard, as PyTorch's DistributedDataParallel without SyncBatchNorm).
 */
import * as tf from '@tensorflow/tfjs';
import type { StepLosses } from '../types.js';
import { Rng } from '../util/rng.js';

/** What data-parallel training needs of MPI (an {@link MpiComm}, or a fake in tests). */
export interface Collective {
  readonly rank: number;
  readonly size: number;
  allreduceSum(x: Float32Array): void;
  broadcast(x: Float32Array, root?: number): void;
}

/** The rows `[start, end)` of a batch of `count` that `rank` of `size` trains on (contiguous, sizes differ by at most one). */
export function shardRange(count: number, rank: number, size: number): { start: number; end: number } {
  const base = Math.floor(count / size);
  const extra = count % size;
  const start = rank * base + Math.min(rank, extra);
  return { start, end: start + base + (rank < extra ? 1 : 0) };
}

/** The values of `tensors` in one new Float32Array, in order (one bucket, one collective call). */
function flatten(tensors: tf.Tensor[]): Float32Array {
  const flat = new Float32Array(tensors.reduce((n, t) => n + t.size, 0));
  let at = 0;
  for (const t of tensors) {
    flat.set(t.dataSync() as Float32Array, at);
    at += t.size;
  }
  return flat;
}

/** Tensors shaped like `like`, their values read in order from `flat` (copied). */
function unflatten(flat: Float32Array, like: tf.Tensor[]): tf.Tensor[] {
  let at = 0;
  return like.map((t) => {
    const values = flat.slice(at, at + t.size);
    at += t.size;
    return tf.tensor(values, t.shape, 'float32');
  });
}

/**
 * Copies rank 0's weights (every weight, trainable or not: BatchNorm's moving statistics
 * included) into every rank's `models`, one broadcast per model.
 */
export function broadcastWeights(comm: Collective, models: tf.LayersModel[]): void {
  for (const model of models) {
    const weights = model.weights.map((w) => w.read());
    const flat = flatten(weights);
    comm.broadcast(flat, 0);
    const values = unflatten(flat, weights);
    model.weights.forEach((w, i) => w.write(values[i]));
    tf.dispose(values);
  }
}

/**
 * Makes `optimizer` average its gradients over the ranks before each step: `applyGradients`
 * first all-reduces them (all of one step in one flat Float32Array, one call), weighting each
 * rank's gradient by its share of the global batch ({@link DataParallel.setShard}), then steps as
 * before. The optimiser's class, state and checkpointing are unchanged.
 */
export function averageGradients(optimizer: tf.Optimizer, dp: DataParallel): tf.Optimizer {
  type Named = { name: string; tensor: tf.Tensor };
  const apply = optimizer.applyGradients.bind(optimizer);
  optimizer.applyGradients = (grads: tf.NamedTensorMap | Named[]) => {
    const named: Named[] = Array.isArray(grads) ? grads : Object.keys(grads).map((name) => ({ name, tensor: grads[name] }));
    const reduced = dp.allreduceMean(named.map((g) => g.tensor));
    try {
      apply(named.map((g, i) => ({ name: g.name, tensor: reduced[i] })));
    } finally {
      tf.dispose(reduced);
    }
  };
  return optimizer;
}

/** One rank's part in data-parallel training. */
export class DataParallel {
  private weight = 1;
  private reduceMs = 0;

  constructor(readonly comm: Collective) {}

  /**
   * Seconds spent in this rank's all-reduce calls so far (the data moved, plus the wait for the
   * slowest rank to arrive): the communication share of a step, as docs/SCALING.md reports it.
   */
  get allreduceSeconds(): number {
    return this.reduceMs / 1000;
  }

  /** `comm.allreduceSum`, timed. */
  private reduce(flat: Float32Array): void {
    const t0 = performance.now();
    this.comm.allreduceSum(flat);
    this.reduceMs += performance.now() - t0;
  }

  get rank(): number {
    return this.comm.rank;
  }

  get size(): number {
    return this.comm.size;
  }

  /**
   * Declares the current step's shard: `local` of the `global` images of the batch. Gradients and
   * losses are then averaged as means over the global batch: each rank's mean weighted by
   * `local / global`.
   */
  setShard(local: number, global: number): void {
    if (!(global > 0) || local < 0 || local > global) throw new Error(`DataParallel: a shard of ${local} images of a batch of ${global}`);
    this.weight = local / global;
  }

  /** The mean over the global batch of per-rank means `tensors` (new tensors; the caller disposes them). */
  allreduceMean(tensors: tf.Tensor[]): tf.Tensor[] {
    const flat = flatten(tensors);
    for (let i = 0; i < flat.length; i++) flat[i] *= this.weight;
    this.reduce(flat);
    return unflatten(flat, tensors);
  }

  /** A step's losses (means over this rank's shard) as means over the global batch, one call. */
  averageLosses(losses: StepLosses): StepLosses {
    const names = Object.keys(losses).sort();
    const flat = Float32Array.from(names, (n) => losses[n] * this.weight);
    this.reduce(flat);
    return Object.fromEntries(names.map((n, i) => [n, flat[i]]));
  }

  /** This rank's rows of a batch of `count` images. */
  shard(count: number): { start: number; end: number } {
    return shardRange(count, this.rank, this.size);
  }

  /**
   * This rank's own random stream for `epoch` (attack starts and other per-example draws), derived
   * from the run's seed, the rank and the epoch, so that a resumed run draws the same numbers.
   */
  rankRng(seed: number, epoch: number): Rng {
    return new Rng((Math.imul(seed ^ 0x27d4eb2f, 0x165667b1) + Math.imul(this.rank + 1, 0x9e3779b1) + epoch * 0x85ebca77) >>> 0);
  }

  /** Sums `counts` over the ranks (e.g. correct predictions of each rank's part of a test set). */
  sumCounts(counts: number[]): number[] {
    const flat = Float32Array.from(counts);
    this.reduce(flat);
    return Array.from(flat);
  }
}
