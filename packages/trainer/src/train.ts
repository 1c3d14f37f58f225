/**
 * The training loop: epochs over seeded batches, per-epoch natural and PGD-10 accuracy,
 * metrics.jsonl and TensorBoard event files, crash-safe checkpoints (last every epoch, best by
 * natural + PGD-10), exact resume, and the NaN guard.
 */
import * as tf from '@tensorflow/tfjs';
import * as core from '@cat/core';
import type { StepLosses, TrainState } from '@cat/core';
import { restoreCheckpoint, saveCheckpoint, type CheckpointState } from './checkpoint.js';
import { resolveConfig, type TrainConfig, type TrainConfigInput } from './config.js';
import { coreDeps, type TrainDeps } from './deps.js';
import { abortJob, checkBatchSplit, heartbeatIn, planOnRanks, reduceAccuracy, shardBatch, shardTestSet, startDistributed, type Distributed, type DistributedMode } from './distributed.js';
import { checkLosses, checkWeights, maskCollapseError, type GuardContext } from './guard.js';
import { appendMetrics, readMetricsLog, rewriteMetricsLog, type EpochMetrics } from './metrics-log.js';
import { createOptimizer, setLearningRate } from './optimizers.js';
import { prepareRunDir, type RunPaths } from './run-dir.js';
import { piecewiseLr } from './schedule.js';
import { openTensorBoardLog } from './tensorboard.js';

/** Progress events of {@link train}. */
export type TrainEvent =
  | { type: 'start'; config: TrainConfig; backend: string; startEpoch: number; stepsPerEpoch: number; trainSize: number; testSize: number; resumed: boolean }
  | { type: 'step'; epoch: number; step: number; steps: number; images: number; imagesPerSec: number; losses: StepLosses }
  | { type: 'eval'; epoch: number; done: number; total: number }
  | { type: 'epoch'; metrics: EpochMetrics; isBest: boolean }
  | { type: 'warning'; message: string };

/** Options of {@link train}. */
export interface TrainOptions {
  /** Continue the run in `config.out` from its last checkpoint (the config must match). */
  resume?: boolean;
  /** Delete whatever run `config.out` holds and start over. */
  force?: boolean;
  /** Called for every event; warnings also go here (default: warnings to stderr). */
  onProgress?: (e: TrainEvent) => void;
  /** Stop after the current step; the last complete checkpoint stays. */
  signal?: AbortSignal;
  /** Replace parts of the pipeline (tests use tiny fakes). */
  deps?: Partial<TrainDeps>;
  /**
   * Data-parallel training over MPI: `auto` (default) when mpirun started this process, `mpi`
   * always, `none` never. Every batch is split across the ranks, gradients are averaged before
   * each step, only rank 0 writes the run dir and reports progress (distributed.ts).
   */
  distributed?: DistributedMode;
}

/** What {@link train} returns; the caller owns (and disposes) the models. */
export interface TrainResult {
  config: TrainConfig;
  dir: string;
  metrics: EpochMetrics[];
  best: { score: number; epoch: number } | null;
  /** The classifier (and mask net) as they stand after the last epoch. */
  f: tf.LayersModel;
  g?: tf.LayersModel;
  backend: string;
  /** This process's rank under MPI (0 on one process): rank 0 alone wrote the run. */
  rank: number;
}

/** Thrown when a run stops because its AbortSignal fired. */
export class TrainingAbortedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingAbortedError';
  }
}

/** The eval RNG seed of an epoch: fixed per run and epoch, independent of the training stream. */
function evalSeed(seed: number, epoch: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 31) + epoch * 0x9e3779b1) >>> 0;
}

function describeCheckpoint(paths: RunPaths, epoch: number): string {
  return epoch > 0 ? `${paths.last} (epoch ${epoch})` : 'none (no epoch had finished)';
}

/**
 * Train one run, on this process or, under mpirun, on every rank of the job (see
 * {@link TrainOptions.distributed}). A rank that fails ends the whole job, naming itself.
 */
export async function train(input: TrainConfigInput | TrainConfig, options: TrainOptions = {}): Promise<TrainResult> {
  const dist = startDistributed(options.distributed);
  if (!dist) return trainRun(input, options, undefined);
  try {
    const result = await trainRun(input, options, dist);
    dist.comm.finalize();
    return result;
  } catch (err) {
    return abortJob(dist, err);
  }
}

/**
 * One run on this process (`dist` undefined) or on this rank. Resolves the config (filling from
 * the dataset's preset), prepares the run dir (refusing one that holds a different run),
 * optionally resumes, then trains the remaining epochs. With the same seed, data and backend, a resumed run ends with exactly the metrics of
 * an uninterrupted one (timings aside).
 */
async function trainRun(input: TrainConfigInput | TrainConfig, options: TrainOptions, dist: Distributed | undefined): Promise<TrainResult> {
  const cfg = resolveConfig(input);
  const deps: TrainDeps = { ...coreDeps, ...options.deps };
  const writes = dist?.isMain ?? true;
  const emit = (e: TrainEvent) => {
    if (!writes) return;
    if (options.onProgress) options.onProgress(e);
    else if (e.type === 'warning') process.stderr.write(`warning: ${e.message}\n`);
  };

  const backend = await deps.setBackend(cfg.backend);
  const method = deps.createMethod(cfg);
  const data = await deps.loadData(cfg);
  if (dist) checkBatchSplit(dist, cfg.batch, data.train.count, data.test.count);
  const plan = dist ? planOnRanks(dist, cfg.out, () => prepareRunDir(cfg, options)) : prepareRunDir(cfg, options);
  plan.warnings.forEach((message) => emit({ type: 'warning', message }));
  const { paths } = plan;
  if (dist) heartbeatIn(paths.root);

  const { f, g } = deps.buildModels(cfg, data, method.needsMask);
  const optSpec = { kind: cfg.optimizer, lr: cfg.lr, momentum: cfg.momentum, weightDecay: cfg.weightDecay };
  const optF = createOptimizer(optSpec);
  const optG = g ? createOptimizer(optSpec) : undefined;
  if (dist) [optF, optG].forEach((opt) => opt && core.averageGradients(opt, dist.dp));
  const target = { f, g, optF, optG };

  let rng = new core.Rng(cfg.seed);
  let startEpoch = 0;
  let globalStep = 0;
  let metrics: EpochMetrics[] = [];
  let best: CheckpointState['best'] = null;
  let elapsed = 0;
  try {
    if (plan.resumeFrom) {
      const state = await restoreCheckpoint(plan.resumeFrom, target);
      rng = core.Rng.fromState(state.rng);
      startEpoch = state.epoch;
      globalStep = state.step;
      metrics = state.metrics;
      best = state.best;
      elapsed = state.elapsedSeconds;
      if (writes) {
        const log = readMetricsLog(paths.metrics);
        log.warnings.forEach((message) => emit({ type: 'warning', message }));
        const beyond = log.records.filter((r) => r.epoch > state.epoch).length;
        if (beyond > 0) emit({ type: 'warning', message: `${paths.metrics}: dropping ${beyond} line(s) past the checkpoint's epoch ${state.epoch}` });
        // The checkpoint's copy of the metrics is authoritative; the log is rebuilt from it.
        rewriteMetricsLog(paths.metrics, metrics);
      }
    }
    // Every rank starts from rank 0's weights (fresh ones differ by rank only if seeding does).
    if (dist) core.broadcastWeights(dist.dp.comm, g ? [f, g] : [f]);

    // TensorBoard's event files follow the checkpoint's metrics as metrics.jsonl does.
    const board = writes ? openTensorBoardLog(paths.root, metrics) : undefined;
    board?.warnings.forEach((message) => emit({ type: 'warning', message }));

    const stepsPerEpoch = core.batchCount(data.train, { batchSize: cfg.batch });
    emit({ type: 'start', config: cfg, backend, startEpoch, stepsPerEpoch, trainSize: data.train.count, testSize: data.test.count, resumed: plan.resumeFrom !== null });

    for (let epoch = startEpoch; epoch < cfg.epochs; epoch++) {
      const t0 = performance.now();
      const reduced0 = dist?.dp.allreduceSeconds ?? 0;
      const lr = piecewiseLr(cfg.lr, cfg.milestones, epoch, cfg.lrFactor);
      setLearningRate(optF, lr);
      if (optG) setLearningRate(optG, lr * cfg.maskLrScale);
      // Under MPI the batches (order, augmentation) come from the shared stream, the method's own
      // draws (attack starts) from the rank's.
      const state: TrainState = { f, g, optF, optG, rng: dist ? dist.dp.rankRng(cfg.seed, epoch) : rng, epoch, epochs: cfg.epochs };
      const per = data.train.height * data.train.width * data.train.channels;
      const sums: Record<string, number> = {};
      const maskSteps: core.MaskStats[] = [];
      let step = 0;
      let images = 0;
      for (const arrays of core.batches(data.train, { batchSize: cfg.batch, rng, augment: cfg.augment })) {
        if (options.signal?.aborted) {
          throw new TrainingAbortedError(
            `training stopped at epoch ${epoch + 1}, step ${step + 1}; last complete checkpoint: ${describeCheckpoint(paths, epoch)}`,
          );
        }
        step++;
        globalStep++;
        const batch = core.batchToTensors(dist ? shardBatch(dist, arrays, per) : arrays, data.train);
        let losses: StepLosses;
        try {
          losses = method.step(state, batch);
        } finally {
          tf.dispose([batch.x, batch.y]);
        }
        if (dist) losses = dist.dp.averageLosses(losses);
        const ctx: GuardContext = { epoch: epoch + 1, step, globalStep, lastGood: describeCheckpoint(paths, epoch) };
        checkLosses(losses, ctx);
        checkWeights({ f, g }, ctx);
        for (const [k, v] of Object.entries(losses)) sums[k] = (sums[k] ?? 0) + v;
        if (method.lastMaskStats) maskSteps.push(method.lastMaskStats);
        images += arrays.size;
        const secs = (performance.now() - t0) / 1000;
        emit({ type: 'step', epoch: epoch + 1, step, steps: stepsPerEpoch, images, imagesPerSec: images / Math.max(secs, 1e-9), losses });
        // Let timers, signal handlers and progress bars run between steps.
        await new Promise((r) => setImmediate(r));
      }
      const trainSeconds = (performance.now() - t0) / 1000;
      const allreduceSeconds = dist ? dist.dp.allreduceSeconds - reduced0 : undefined;
      // The epoch's mean mask, and where it stands at the end: the mean over its last quarter of steps.
      const mask = core.meanMaskStats(maskSteps);
      const maskEnd = core.meanMaskStats(maskSteps.slice(-Math.ceil(maskSteps.length / 4)));
      if (maskEnd && core.isMaskCollapsed(maskEnd)) {
        if (!cfg.allowMaskCollapse) throw maskCollapseError(maskEnd, epoch + 1, describeCheckpoint(paths, epoch));
        emit({ type: 'warning', message: `epoch ${epoch + 1}: the CAT mask has collapsed (${core.describeMaskStats(maskEnd)}); going on as --allow-mask-collapse asks, but this is natural training` });
      }

      const total = 2 * data.test.count;
      emit({ type: 'eval', epoch: epoch + 1, done: 0, total });
      const tEval = performance.now();
      const testSet = dist ? shardTestSet(dist, data.test) : data.test;
      const shardAcc = await deps.evaluate(f, testSet, cfg, evalSeed(cfg.seed, epoch), (done, all) =>
        emit({ type: 'eval', epoch: epoch + 1, done, total: all }),
      );
      const acc = dist ? reduceAccuracy(dist, shardAcc, testSet.count) : shardAcc;
      const evalSeconds = (performance.now() - tEval) / 1000;
      const losses: Record<string, number> = {};
      for (const [k, v] of Object.entries(sums)) losses[k] = v / Math.max(step, 1);
      const m: EpochMetrics = {
        type: 'epoch',
        epoch: epoch + 1,
        lr,
        losses,
        naturalAcc: acc.naturalAcc,
        pgd10Acc: acc.pgd10Acc,
        imagesPerSec: images / Math.max(trainSeconds, 1e-9),
        trainSeconds,
        evalSeconds,
        wallSeconds: (performance.now() - t0) / 1000,
        step: globalStep,
        ...(allreduceSeconds === undefined ? {} : { allreduceSeconds }),
        ...(mask && maskEnd ? { mask, maskEnd } : {}),
      };
      metrics = [...metrics, m];
      elapsed += m.wallSeconds;
      const score = m.naturalAcc + m.pgd10Acc;
      const isBest = best === null || score > best.score;
      if (isBest) best = { score, epoch: epoch + 1 };

      if (writes) {
        appendMetrics(paths.metrics, m);
        board?.log.append(m);
        const ckState = { epoch: epoch + 1, step: globalStep, config: cfg, rng: rng.state(), metrics, best, elapsedSeconds: elapsed };
        // best before last: if killed in between, the resume redoes this epoch identically and
        // rewrites best, so best never points past last.
        if (isBest) await saveCheckpoint(paths.best, target, ckState);
        await saveCheckpoint(paths.last, target, ckState);
      }
      emit({ type: 'epoch', metrics: m, isBest });
    }
  } catch (err) {
    f.dispose();
    g?.dispose();
    optF.dispose();
    optG?.dispose();
    throw err;
  }
  optF.dispose();
  optG?.dispose();
  return { config: cfg, dir: paths.root, metrics, best, f, g, backend, rank: dist?.comm.rank ?? 0 };
}
