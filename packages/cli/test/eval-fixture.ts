/**
 * A run directory written the way the trainer writes one (config.json, metrics.jsonl,
 * checkpoints/best via saveCheckpoint) without training: the CLI tests of eval, viz and report
 * check plumbing and files, not accuracy (the attacks' strength is tested in @cat/core).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildClassifier, buildMaskNet, Rng } from '@cat/core';
import { resolveConfig, saveCheckpoint, type EpochMetrics } from '@cat/trainer';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cat-${prefix}-`));
}

/** Writes a CAT-cent (or AT) run on the embedded MNIST digits into `dir`. */
export async function writeFakeRun(dir: string, opts: { method?: string; seed?: number; epochs?: number } = {}): Promise<string> {
  await tf.setBackend('cpu');
  const method = opts.method ?? 'cat-cent';
  const seed = opts.seed ?? 1;
  const config = resolveConfig({ dataset: 'mnist-digits', method, epochs: 3, seed, out: dir, backend: 'cpu' } as never);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 1));
  const metrics: EpochMetrics[] = Array.from({ length: opts.epochs ?? 2 }, (_, i) => ({
    type: 'epoch',
    epoch: i + 1,
    lr: 1e-3,
    losses: method.startsWith('cat') ? { lossF: 1 / (i + 1), lossG: 0.5 / (i + 1) } : { loss: 1 / (i + 1) },
    naturalAcc: 0.5 + 0.1 * i,
    pgd10Acc: 0.2 + 0.1 * i,
    imagesPerSec: 10,
    trainSeconds: 1,
    evalSeconds: 1,
    wallSeconds: 2,
    step: (i + 1) * 10,
  }));
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), metrics.map((m) => JSON.stringify(m)).join('\n') + '\n');
  const f = buildClassifier('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed });
  const g = method.startsWith('cat') ? buildMaskNet('mnist-mask', { inputShape: [28, 28, 1], seed }) : undefined;
  const optF = tf.train.adam(1e-3);
  const optG = g ? tf.train.adam(1e-3) : undefined;
  await saveCheckpoint(path.join(dir, 'checkpoints', 'best'), { f, g, optF, optG }, {
    epoch: metrics.length,
    step: metrics.length * 10,
    config,
    rng: new Rng(seed).state(),
    metrics,
    best: { score: 0.5, epoch: metrics.length },
    elapsedSeconds: 4,
  });
  f.dispose();
  g?.dispose();
  return dir;
}
