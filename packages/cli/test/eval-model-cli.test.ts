/**
 * `cat-cli eval` on model files: a PyTorch state dict as safetensors (`--arch`) and a tfjs model
 * directory, end to end on the embedded MNIST digits, and the errors for what a model file lacks.
 * The loader itself (layouts, logits, malformed files) is tested in @cat/core.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildClassifier, encodeSafetensors, loadDataset, saveModel } from '@cat/core';
import { torchStateDict } from '../../core/test/io/torch-state-dict.js';
import { evalRuns } from '../src/commands/eval.js';
import { cli } from './cli-in-process.js';
import { tempDir, writeFakeRun } from './eval-fixture.js';

const N = 16;
let root: string;
let stFile: string;
let tfjsDir: string;
let runDir: string;
/** Natural accuracy of the original model on the first N test digits, computed here. */
let expectedNatural: number;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = tempDir('eval-model');
  const f = buildClassifier('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 11 });
  const { train, test } = await loadDataset('mnist-digits');
  // No training (too slow here): fc2 is the nearest-class-mean classifier of the random fc1
  // features of 200 training digits, so the model tells digits apart and accuracies say something.
  tf.tidy(() => {
    const xs = tf.tensor4d(train.images.subarray(0, 200 * 784), [200, 28, 28, 1]);
    const features = tf.model({ inputs: f.inputs, outputs: f.getLayer('relu5').output as tf.SymbolicTensor }).predict(xs) as tf.Tensor2D;
    const onehot = tf.oneHot(tf.tensor1d(train.labels.subarray(0, 200), 'int32'), 10).toFloat();
    const means = tf.matMul(onehot, features, true).div(onehot.sum(0).expandDims(1).maximum(1)); // [10, 100]
    // Nearest class mean: logit k = <x, m_k> - |m_k|^2 / 2.
    f.getLayer('fc2').setWeights([means.transpose(), means.square().sum(1).mul(-0.5)]);
  });
  stFile = path.join(root, 'cnn.safetensors');
  fs.writeFileSync(stFile, encodeSafetensors(torchStateDict(f, { flattenInto: 'fc1', flatten: [7, 7, 64], prefix: 'module.' })));
  tfjsDir = path.join(root, 'cnn-tfjs');
  await saveModel(f, tfjsDir);
  const x = tf.tensor4d(test.images.subarray(0, N * 784), [N, 28, 28, 1]);
  const pred = tf.tidy(() => Array.from((f.predict(x) as tf.Tensor).argMax(-1).dataSync()));
  expectedNatural = pred.filter((p, i) => p === test.labels[i]).length / N;
  // The untrained model must not answer one class for all, or equal accuracies would say little.
  expect(new Set(pred).size).toBeGreaterThan(2);
  tf.dispose([x]);
  f.dispose();
  runDir = await writeFakeRun(path.join(root, 'run'), { seed: 1 });
});

describe('cat-cli eval on model files', () => {
  it('a .safetensors state dict with --arch and --dataset: evaluated, results in FILE.eval/', async () => {
    const r = await cli(['eval', stFile, '--arch', 'mnist-cnn', '--dataset', 'mnist-digits', '--eps', '0.1', '--backend', 'cpu', '--limit', String(N), '--batch', String(N), '--attacks', 'square', '--square-queries', '3']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/input normalisation mean \[0\] std \[1\] none: the network takes images in \[0,1\]/);
    expect(r.stdout).toMatch(/cnn\.safetensors: mnist-cnn on mnist-digits, safetensors state dict, eps 0\.1, 16 images/);
    expect(r.stdout).toMatch(/cnn\.safetensors \(mnist-cnn\)/);
    const json = JSON.parse(fs.readFileSync(path.join(root, 'cnn.eval', 'eval.json'), 'utf8'));
    const run = json.runs[0];
    expect(run).toMatchObject({ checkpoint: null, epoch: null, seed: null, method: 'safetensors state dict', dataset: 'mnist-digits', eps: 0.1, n: N });
    expect(run.model).toMatchObject({ format: 'safetensors', arch: 'mnist-cnn', normalization: { source: 'none' } });
    expect(run.attacks[0]).toMatchObject({ name: 'natural', accuracy: expectedNatural });
    expect(run.robustbench).toMatchObject({ architecture: 'mnist-cnn', eps: String(0.1), n_examples: N });
  });

  it('a tfjs model directory gives the same accuracies as its state dict', async () => {
    const out = tempDir('eval-model-out');
    const lines: string[] = [];
    const opts = { backend: 'cpu' as const, limit: N, batch: N, attacks: ['square'], squareQueries: 3, eps: 0.1, dataset: 'mnist-digits' as const, out, log: (l: string) => lines.push(l) };
    const fromTfjs = await evalRuns([tfjsDir], opts);
    const fromSt = await evalRuns([stFile, stFile], { ...opts, arch: 'mnist-cnn' });
    expect(fromSt.table.rows).toHaveLength(1); // one file twice: one row of two
    expect(fromTfjs.runs[0].model).toMatchObject({ format: 'tfjs', arch: 'mnist-cnn' });
    expect(fromTfjs.runs[0].attacks[0].accuracy).toBe(expectedNatural);
    for (const r of fromSt.runs) expect(r.attacks.map((a) => a.accuracy)).toEqual(fromTfjs.runs[0].attacks.map((a) => a.accuracy));
    expect(lines.filter((l) => l.includes('input normalisation mean [0] std [1] none'))).toHaveLength(2);
  }, 240_000);

  it('says what a model file lacks, and refuses model flags on a run directory', async () => {
    const base = ['--backend', 'cpu', '--limit', '2', '--attacks', 'square'];
    const expectError = async (args: string[], message: RegExp) => {
      const r = await cli(['eval', ...args, ...base]);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(message);
    };
    await expectError([stFile, '--dataset', 'mnist-digits', '--eps', '0.1'], /cnn\.safetensors: a \.safetensors state dict needs --arch \(mnist-cnn, preact-resnet18, wide-resnet\)/);
    await expectError([stFile, '--arch', 'mnist-cnn', '--eps', '0.1'], /a model file needs --dataset/);
    await expectError([stFile, '--arch', 'mnist-cnn', '--dataset', 'mnist-digits'], /a model file needs --eps/);
    await expectError([stFile, '--arch', 'preact-resnet18', '--dataset', 'mnist-digits', '--eps', '0.1'], /cannot load .*cnn\.safetensors as preact-resnet18: .*does not fit preact-resnet18[\s\S]*missing tensor "layer1\.0\.bn1\.weight" \(expected shape \[64\]\)[\s\S]*\d+ of the \d+ tensors preact-resnet18 needs are missing or do not fit: is this a preact-resnet18 state dict\?/);
    await expectError([tfjsDir, '--arch', 'mnist-cnn', '--dataset', 'mnist-digits', '--eps', '0.1'], /--arch: for \.safetensors files only/);
    await expectError([tfjsDir, '--dataset', 'cifar10', '--eps', '0.1'], /takes \[28,28,1\] and gives \[10\], cifar10 needs images \[32,32,3\]/);
    await expectError([runDir, '--arch', 'mnist-cnn', '--mean', '0.5'], /--arch, --mean: for model files only; .* is a run directory/);
    await expectError([stFile, '--arch', 'mnist-cnn', '--dataset', 'mnist-digits', '--eps', '0.1', '--mean', '0.5,x'], /--mean.*expected comma-separated numbers/);
    const other = path.join(root, 'weights.pt');
    fs.writeFileSync(other, 'x');
    await expectError([other, '--arch', 'mnist-cnn'], /weights\.pt: not a run directory, a tfjs model directory \(model\.json\) or a \.safetensors state dict/);
    const truncated = path.join(root, 'truncated.safetensors');
    const bytes = fs.readFileSync(stFile);
    fs.writeFileSync(truncated, bytes.subarray(0, bytes.byteLength - 10));
    await expectError([truncated, '--arch', 'mnist-cnn', '--dataset', 'mnist-digits', '--eps', '0.1'], /truncated\.safetensors: tensor "module\.fc2\.bias": data_offsets .* truncated file/);
  });

  it('--help describes model files', async () => {
    const r = await cli(['eval', '--help']);
    const text = r.stdout + r.stderr;
    expect(text).toMatch(/\.safetensors/);
    for (const flag of ['--arch', '--dataset', '--mean', '--std', '--data-dir']) expect(text).toContain(flag);
  });
});
