/**
 * The cat side of the export test, run in its own process (the test itself imports no cat code):
 * makes two run directories, writes the outputs of their checkpoints (loaded with cat's code) on
 * fixed images, and exports them with `cat-cli export`.
 * - mnist: mnist-cnn + mnist-mask at 28x28x1 (identity normalisation);
 * - cifar: preact-resnet18 + resnet18-mask at 32x32x3 with CIFAR-10's normalisation.
 * The checkpoints are written by the trainer's saveCheckpoint from freshly built models (training
 * them would take minutes on the cpu backend and change nothing about the layers).
 * Usage: cat-side.ts WORK_DIR; writes WORK_DIR/reference.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { datasetInfo, Rng, useBackend } from '@cat/core';
import { appendMetrics, coreDeps, createOptimizer, loadRun, prepareRunDir, resolveConfig, saveCheckpoint, type EpochMetrics } from '@cat/trainer';
import { main } from '../../src/main.js';

const work = process.argv[2];
if (!work) throw new Error('usage: cat-side.ts WORK_DIR');

async function cli(args: string[]): Promise<void> {
  const code = await main(args);
  if (code !== 0) throw new Error(`cat-cli ${args.join(' ')} exited ${code}`);
}

/**
 * A CAT run of one epoch on `dataset`'s shapes, with the default architectures for it, as
 * `train` leaves it (config.json, metrics.jsonl, checkpoints/best), its BatchNorm weights and
 * statistics set to random values so that they matter.
 */
async function makeRun(dataset: 'mnist-digits' | 'cifar10', out: string): Promise<void> {
  const cfg = resolveConfig({ method: 'cat-cent', dataset, out, epochs: 1, backend: 'cpu', seed: 3 });
  const { paths } = prepareRunDir(cfg, {});
  const info = datasetInfo(dataset);
  const empty = { images: new Float32Array(0), labels: new Int32Array(0), count: 0, height: info.height, width: info.width, channels: info.channels };
  const { f, g } = coreDeps.buildModels(cfg, { train: empty, test: empty, numClasses: info.numClasses, mean: info.mean, std: info.std }, true);
  const rng = new Rng(11);
  for (const w of [...f.weights, ...g!.weights]) {
    const n = w.shape.reduce((a, d) => a * (d as number), 1);
    const values = (lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
    const name = w.originalName;
    const v = /moving_variance/.test(name) ? values(0.5, 2) : /gamma/.test(name) ? values(0.5, 1.5) : /moving_mean|beta/.test(name) ? values(-0.2, 0.2) : null;
    if (v) w.write(tf.tensor(v, w.shape as number[]));
  }
  const optF = createOptimizer({ kind: cfg.optimizer, lr: cfg.lr, momentum: cfg.momentum, weightDecay: cfg.weightDecay });
  const optG = createOptimizer({ kind: cfg.optimizer, lr: cfg.lr, momentum: cfg.momentum, weightDecay: cfg.weightDecay });
  const m: EpochMetrics = {
    type: 'epoch', epoch: 1, lr: cfg.lr, losses: { loss_f: 1 }, naturalAcc: 0.1, pgd10Acc: 0.05, imagesPerSec: 1,
    trainSeconds: 1, evalSeconds: 1, wallSeconds: 2, step: 1,
  };
  appendMetrics(paths.metrics, m);
  const state = { epoch: 1, step: 1, config: cfg, rng: new Rng(1).state(), metrics: [m], best: { score: 0.15, epoch: 1 }, elapsedSeconds: 2 };
  await saveCheckpoint(paths.best, { f, g, optF, optG }, state);
  tf.dispose([f, g!] as never);
  optF.dispose();
  optG.dispose();
}

/** Fixed images in [0,1] for a model's input shape (the test builds them by the same formula). */
const checkImages = (shape: number[]) => Float32Array.from({ length: shape.reduce((a, d) => a * d, 1) }, (_, i) => ((i * 7919) % 1000) / 999);

async function run(): Promise<void> {
  await useBackend('wasm');
  const runs = { mnist: path.join(work, 'mnist-run'), cifar: path.join(work, 'cifar-run') };
  await makeRun('mnist-digits', runs.mnist);
  await makeRun('cifar10', runs.cifar);
  const reference: Record<string, unknown> = {};
  for (const [name, dir] of Object.entries(runs)) {
    const loaded = await loadRun(dir);
    const entry: Record<string, unknown> = { run: dir, export: path.join(work, `${name}-export`), checkpoint: path.join(dir, 'checkpoints', loaded.checkpoint) };
    for (const [role, model] of [['f', loaded.f], ['g', loaded.g]] as const) {
      const shape = [2, ...(model!.inputs[0].shape.slice(1) as number[])];
      const y = tf.tidy(() => model!.predict(tf.tensor(checkImages(shape), shape)) as tf.Tensor);
      entry[role] = { inputShape: shape, classes: model!.layers.map((l) => l.getClassName()), output: Array.from(y.dataSync()), outputShape: y.shape };
      y.dispose();
    }
    tf.dispose([loaded.f, loaded.g!] as never);
    await cli(['export', dir, '--out', entry.export as string, '--backend', 'wasm']);
    reference[name] = entry;
  }
  fs.writeFileSync(path.join(work, 'reference.json'), JSON.stringify(reference));
}

run().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
