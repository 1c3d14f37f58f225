/**
 * Builds what a suite times: fresh models trained a few natural steps on real digits, and the
 * operation itself (a PGD attack, or one full CAT-cent step through `createMethod`).
 */
import * as tf from '@tensorflow/tfjs';
import {
  asClassifier,
  buildClassifier,
  buildMaskNet,
  createMethod,
  crossEntropy,
  PGD,
  Rng,
  type Batch,
  type TrainState,
} from '@cat/core';
import { createOptimizer } from '@cat/trainer';
import { digitsAsColour, takeBatches, trainDigits } from './data.js';
import { catStepFlopsPerImage, forwardFlopsPerImage, pgdFlopsPerImage } from './flops.js';
import type { SuiteSize, SuiteSpec } from './suites.js';

/** A suite ready to time. */
export interface PreparedSuite {
  /** One run of the timed operation on the next batch; returns when its work is done. */
  op: () => void;
  /** Model FLOPs per image of `op` (see flops.ts). */
  flopsPerImage: number;
  /** The same at another number of PGD steps (to scale reduced runs). */
  flopsPerImageAt: (pgdSteps: number) => number;
  /** Frees the models, optimisers and batches. */
  dispose: () => void;
}

/** Options of {@link prepareSuite}. */
export interface PrepareOptions {
  /** Natural cross-entropy steps on f before anything is timed. */
  trainSteps: number;
  /** Runs of `op` the caller will make (warm-up included): that many batches are prepared. */
  iters: number;
  seed: number;
}

/**
 * The suite's optimiser, as training builds it (SPEC.md: Adam 1e-3 for MNIST; SGD lr 0.1,
 * momentum 0.9, weight decay 5e-4 for CIFAR; the PyTorch peer uses the same).
 */
export function suiteOptimizer(spec: SuiteSpec): tf.Optimizer {
  return spec.optimizer === 'adam'
    ? createOptimizer({ kind: 'adam', lr: 1e-3, momentum: 0, weightDecay: 0 })
    : createOptimizer({ kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4 });
}

function naturalStep(f: tf.LayersModel, opt: tf.Optimizer, batch: Batch): void {
  const loss = opt.minimize(
    () => crossEntropy(f.apply(batch.x, { training: true }) as tf.Tensor2D, batch.y),
    true,
    f.trainableWeights.map((w) => w.read() as tf.Variable),
  );
  loss?.dataSync();
  loss?.dispose();
}

/**
 * Builds the suite's models on the active backend, trains f `trainSteps` natural steps on real
 * digits (the same protocol as the PyTorch peer), and returns the operation to time.
 */
export async function prepareSuite(spec: SuiteSpec, size: SuiteSize, o: PrepareOptions): Promise<PreparedSuite> {
  const digits = await trainDigits();
  const need = size.batch * (o.trainSteps + o.iters);
  const set = spec.input === 'cifar-shape' ? digitsAsColour(digits, Math.max(need, size.batch)) : digits;
  const data = takeBatches(set, size.batch, o.trainSteps + o.iters, o.seed);
  const inputShape: [number, number, number] = [set.height, set.width, set.channels];
  const f = buildClassifier(spec.arch, { inputShape, numClasses: 10, seed: o.seed });
  const optF = suiteOptimizer(spec);
  for (let i = 0; i < o.trainSteps; i++) naturalStep(f, optF, data[i]);
  let next = o.trainSteps;
  const nextBatch = () => data[o.trainSteps + ((next++ - o.trainSteps) % o.iters)];

  const fFlops = forwardFlopsPerImage(f);
  const disposeCommon = () => {
    f.dispose();
    optF.dispose();
    for (const b of data) tf.dispose([b.x, b.y]);
  };

  if (spec.kind === 'pgd') {
    const attack = new PGD({
      eps: spec.eps,
      alpha: spec.alpha,
      steps: size.pgdSteps,
      randomStart: spec.randomStart,
      seed: o.seed,
    });
    // Eval mode, as an evaluation attack runs (BatchNorm on running statistics).
    const model = asClassifier(f, false);
    return {
      op: () => {
        const b = nextBatch();
        const adv = attack.run(model, b.x, b.y);
        adv.dataSync();
        adv.dispose();
      },
      flopsPerImage: pgdFlopsPerImage(fFlops, size.pgdSteps),
      flopsPerImageAt: (k) => pgdFlopsPerImage(fFlops, k),
      dispose: disposeCommon,
    };
  }

  const g = buildMaskNet(spec.maskArch, { inputShape, seed: o.seed + 1 });
  const gFlops = forwardFlopsPerImage(g);
  const optG = suiteOptimizer(spec);
  const method = createMethod('cat-cent', {
    eps: spec.eps,
    alpha: spec.alpha,
    steps: size.pgdSteps,
    a: spec.a,
    b: spec.b,
  });
  const state: TrainState = { f, g, optF, optG, rng: new Rng(o.seed), epoch: 0, epochs: 1 };
  return {
    op: () => {
      // StepLosses are plain numbers read back from the backend, so the step is complete here.
      method.step(state, nextBatch());
    },
    flopsPerImage: catStepFlopsPerImage(fFlops, gFlops, size.pgdSteps),
    flopsPerImageAt: (k) => catStepFlopsPerImage(fFlops, gFlops, k),
    dispose: () => {
      disposeCommon();
      g.dispose();
      optG.dispose();
    },
  };
}
