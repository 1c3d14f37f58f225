/**
 * The trainer's side of data-parallel training over MPI (`mpirun -np N cat-cli train ...`):
 * starting MPI, deciding the run dir on rank 0, cutting each batch and the test set into one
 * shard per rank, reducing the evaluation, and ending the whole job when one rank fails.
 * The maths (weight broadcast, gradient averaging) is @cat/core's distributed/data-parallel.ts.
 */
import * as core from '@cat/core';
import type { ArrayBatch, ImageSet, MpiComm } from '@cat/core';
import type { EpochAccuracy } from './deps.js';
import { join } from 'node:path';
import { runPaths, type RunDirPlan } from './run-dir.js';

/** How {@link train} runs: `auto` uses MPI when started by mpirun (OMPI_COMM_WORLD_SIZE set). */
export type DistributedMode = 'auto' | 'none' | 'mpi';

/** One rank's view of a data-parallel run. */
export interface Distributed {
  comm: MpiComm;
  dp: core.DataParallel;
  /** Rank 0 writes the run dir, the metrics and the progress; the others only compute. */
  isMain: boolean;
}

/** Starts MPI when `mode` asks for it (or, for `auto`, when mpirun started this process). */
export function startDistributed(mode: DistributedMode = 'auto'): Distributed | undefined {
  if (mode === 'none' || (mode === 'auto' && !core.launchedByMpirun())) return undefined;
  const comm = core.initMpi();
  return { comm, dp: new core.DataParallel(comm), isMain: comm.rank === 0 };
}

/**
 * The run-dir plan on every rank: rank 0 decides (and writes config.json) with `prepare`, then
 * tells the others whether to resume from checkpoints/last. Ranks share the run dir's
 * filesystem (one machine, or a shared mount).
 */
export function planOnRanks(d: Distributed, cfgOut: string, prepare: () => RunDirPlan): RunDirPlan {
  const plan = d.isMain ? prepare() : { paths: runPaths(cfgOut), resumeFrom: null, warnings: [] };
  const resume = Float32Array.of(plan.resumeFrom === null ? 0 : 1);
  d.comm.broadcast(resume, 0);
  return d.isMain ? plan : { ...plan, resumeFrom: resume[0] === 1 ? plan.paths.last : null };
}

/** The folder of the run dir where each rank keeps its MPI heartbeat (see {@link heartbeatIn}). */
export const HEARTBEAT_DIR = '.mpi-heartbeat';

/**
 * Turns on the native watchdog's heartbeats in `root`'s {@link HEARTBEAT_DIR} (unless the user
 * set `CAT_MPI_HEARTBEAT_DIR`): every rank records there the number of the last collective it
 * entered, so a rank that times out waiting names the ranks that never arrived (the hung one),
 * not only itself. The run dir is on a filesystem every rank sees, which the heartbeats need.
 */
export function heartbeatIn(root: string): void {
  process.env.CAT_MPI_HEARTBEAT_DIR ||= join(root, HEARTBEAT_DIR);
}

/**
 * Refuses a run that leaves some rank without images: in some batch (the batch, or the epoch's
 * last, smaller one, holds fewer images than there are ranks) or in the test set.
 */
export function checkBatchSplit(d: Distributed, batch: number, trainCount: number, testCount: number): void {
  const last = trainCount % batch;
  const smallest = Math.min(batch, trainCount, last === 0 ? batch : last);
  if (smallest < d.comm.size) {
    throw new Error(`a batch of ${smallest} images cannot be split over ${d.comm.size} ranks; use a --batch (and --train-subset) that gives every rank an image`);
  }
  if (testCount < d.comm.size) throw new Error(`a test set of ${testCount} images cannot be split over ${d.comm.size} ranks`);
}

/** Rows `[start, end)` of a batch or set, as a batch of its own (views, no copies). */
function rows(x: Float32Array, y: Int32Array, per: number, start: number, end: number): ArrayBatch {
  return { x: x.subarray(start * per, end * per), y: y.subarray(start, end), size: end - start };
}

/** This rank's shard of a global batch (`per` values per image), declared to the gradient averaging. */
export function shardBatch(d: Distributed, batch: ArrayBatch, per: number): ArrayBatch {
  const { start, end } = d.dp.shard(batch.size);
  d.dp.setShard(end - start, batch.size);
  return rows(batch.x, batch.y, per, start, end);
}

/** This rank's contiguous part of the test set (every rank gets at least one image when the set allows). */
export function shardTestSet(d: Distributed, set: ImageSet): ImageSet {
  const { start, end } = d.dp.shard(set.count);
  const per = set.height * set.width * set.channels;
  const part = rows(set.images, set.labels, per, start, end);
  return { ...set, images: part.x, labels: part.y, count: part.size };
}

/** The accuracies of the whole test set from each rank's accuracies on its part of `count` images. */
export function reduceAccuracy(d: Distributed, acc: EpochAccuracy, count: number): EpochAccuracy {
  const [natural, pgd, total] = d.dp.sumCounts([Math.round(acc.naturalAcc * count), Math.round(acc.pgd10Acc * count), count]);
  return { naturalAcc: natural / total, pgd10Acc: pgd / total };
}

/**
 * Ends every rank of the job because this one failed: the message names the rank, then
 * MPI_Abort makes mpirun stop the others at once (checkpoints are written atomically by rank 0,
 * so the last complete one stays intact).
 */
export function abortJob(d: Distributed, err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`cat-cli: rank ${d.comm.rank} of ${d.comm.size} failed: ${message}; ending the job (mpirun stops every rank)\n`);
  return d.comm.abort(1);
}
