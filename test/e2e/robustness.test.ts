/**
 * End to end on real digits: the trainer runs CAT-cent on the embedded MNIST digits (data →
 * method → checkpoints → loadRun), a naturally trained twin (same architecture, data, seed and
 * step count, plain cross-entropy) is trained beside it, and both face the same PGD-20 on
 * held-out digits. CAT must be clearly more robust. Small on purpose (a subset, few epochs, a
 * short attack) so it runs in about a minute on the fastest backend there is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PGD,
  Rng,
  asClassifier,
  availableBackends,
  batchToTensors,
  batches,
  buildClassifier,
  crossEntropy,
  evaluate,
  loadDataset,
  subset,
  useBackend,
  type ImageSet,
} from '@cat/core';
import { loadRun, train } from '@cat/trainer';

const EPS = 0.2;
const TRAIN = 2000;
const EPOCHS = 2;
const BATCH = 50;
const SEED = 3;

const backend = availableBackends().includes('native') ? 'native' : 'cpu';
let out: string;

beforeAll(async () => {
  await useBackend(backend);
  out = mkdtempSync(join(tmpdir(), 'cat-e2e-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Plain cross-entropy training with the same data, model, seed and optimiser as the CAT run. */
function trainNaturally(train: ImageSet): tf.LayersModel {
  const f = buildClassifier('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: SEED });
  const opt = tf.train.adam(1e-3);
  const rng = new Rng(SEED);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (const b of batches(train, { batchSize: BATCH, rng })) {
      const { x, y } = batchToTensors(b, train);
      opt.minimize(() => crossEntropy(f.apply(x, { training: true }) as tf.Tensor2D, y), false, f.trainableWeights.map((w) => w.read() as tf.Variable));
      tf.dispose([x, y]);
    }
  }
  opt.dispose();
  return f;
}

describe(`end to end on the embedded MNIST digits (${backend} backend)`, () => {
  it('CAT-cent is clearly more robust to PGD-20 than natural training at the same eps', async () => {
    const data = await loadDataset('mnist-digits');
    const run = await train({
      method: 'cat-cent',
      dataset: 'mnist-digits',
      backend,
      eps: EPS,
      alpha: EPS / 4,
      steps: 5,
      epochs: EPOCHS,
      batch: BATCH,
      trainSubset: TRAIN,
      testSubset: 100,
      evalSteps: 5,
      seed: SEED,
      // The default recipe's mask settings, no extra flags: its mask must not collapse.
      out,
    });
    run.f.dispose();
    run.g?.dispose();
    expect(run.metrics).toHaveLength(EPOCHS);
    for (const m of run.metrics) expect(m.maskEnd!.low).toBeLessThan(0.5);

    // What a user evaluates: the run as saved on disk.
    const saved = await loadRun(out, { checkpoint: 'last' });
    const natural = trainNaturally(subset(data.train, TRAIN, new Rng(SEED)));

    const test = subset(data.test, 300, new Rng(99));
    const pgd = () => [{ name: 'pgd20', attack: new PGD({ eps: EPS, alpha: 0.01 * (EPS / 0.3) * 2, steps: 20, randomStart: false }) }];
    const cat = await evaluate(asClassifier(saved.f), test, pgd());
    const nat = await evaluate(asClassifier(natural), test, pgd());
    const acc = (r: typeof cat, name: string) => r.accuracies.find((a) => a.name === name)!.accuracy;

    console.log(
      `e2e (eps ${EPS}, ${test.count} test digits): CAT natural ${acc(cat, 'natural')}, PGD-20 ${acc(cat, 'pgd20')}; ` +
        `natural training: natural ${acc(nat, 'natural')}, PGD-20 ${acc(nat, 'pgd20')}`,
    );
    // Both learnt the digits; only CAT resists the attack.
    expect(acc(cat, 'natural')).toBeGreaterThan(0.8);
    expect(acc(nat, 'natural')).toBeGreaterThan(0.8);
    expect(acc(cat, 'pgd20')).toBeGreaterThan(acc(nat, 'pgd20') + 0.2);
    saved.f.dispose();
    saved.g?.dispose();
    natural.dispose();
    // A whole training run: about 45 s on an idle 2-core machine, minutes on a busy one.
  }, 600_000);
});
