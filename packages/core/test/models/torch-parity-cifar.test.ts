/**
 * The CIFAR networks against PyTorch 1.13 running the reference code bases' definitions
 * (robust-overfitting's PreActResNet18, TRADES's WideResNet, the kuangliu ResNet-18 BasicBlock
 * trunk of the mask net) in eval mode, with the pattern weights of pattern.ts loaded by name
 * (`layer1.0.conv1/kernel` -> `layer1.0.conv1.weight`, transposed; BN gamma/beta/moving stats
 * -> weight/bias/running_mean/running_var) and the CIFAR normalisation applied before f.
 * One image for the ResNet-18s (seconds each on the cpu backend), two for a WRN-16-2.
 * Regenerate with reference/weight-names.ts, then reference/torch_reference.py.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildClassifier, buildMaskNet } from '@cat/core';
import { patternImages, setPatternWeights } from './pattern.js';

const cifar = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10, mean: [0.4914, 0.4822, 0.4465], std: [0.2471, 0.2435, 0.2616] };
const torchPreAct = [-0.13767, -0.09964, -0.2148, -0.22518, 0.27433, 0.18527, 0.06217, -0.0131, -0.14852, -0.12603];
const torchWrn = [
  [-0.05714, -0.33132, 0.12644, -0.13815, -0.06363, 0.20157, -0.26033, 0.23537, -0.00762, -0.20596],
  [-0.04761, -0.29081, 0.02965, -0.08005, -0.07191, 0.17403, -0.20847, 0.14794, 0.07056, -0.21133],
];
/** (row, col, channel) of the sampled mask values. */
const maskPoints: [number, number, number][] = [[0, 0, 0], [0, 31, 1], [31, 0, 2], [31, 31, 0], [15, 16, 1], [3, 29, 2], [8, 7, 0]];
const torchMask = [0.46482, 0.47943, 0.45584, 0.50552, 0.60995, 0.48551, 0.57124];
const torchMaskMean = 0.49559;

const expectClose = (got: ArrayLike<number>, want: number[]) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThan(5e-5));
};

describe('CIFAR networks match PyTorch on fixed weights (inference mode)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('PreAct ResNet-18', () => {
    const f = buildClassifier('preact-resnet18', cifar);
    setPatternWeights(f);
    const x = patternImages([2, 32, 32, 3]).slice([0, 0, 0, 0], [1, 32, 32, 3]);
    const y = f.predict(x) as tf.Tensor;
    expectClose(y.dataSync(), torchPreAct);
    tf.dispose([x, y]);
    f.dispose();
  });

  it('WideResNet-16-2 (identity and 1x1-conv shortcuts)', () => {
    const f = buildClassifier('wide-resnet', { ...cifar, depth: 16, widen: 2 });
    setPatternWeights(f);
    const x = patternImages([2, 32, 32, 3]);
    const y = f.predict(x) as tf.Tensor2D;
    const rows = y.arraySync();
    rows.forEach((r, n) => expectClose(r, torchWrn[n]));
    tf.dispose([x, y]);
    f.dispose();
  });

  it('ResNet-18 mask net', () => {
    const g = buildMaskNet('resnet18-mask', { inputShape: [32, 32, 3] });
    setPatternWeights(g);
    const x = patternImages([2, 32, 32, 3]).slice([0, 0, 0, 0], [1, 32, 32, 3]);
    const m = g.predict(x) as tf.Tensor4D;
    const a = m.arraySync()[0];
    expectClose(maskPoints.map(([i, j, c]) => a[i][j][c]), torchMask);
    expect(Math.abs(m.mean().dataSync()[0] - torchMaskMean)).toBeLessThan(5e-5);
    tf.dispose([x, m]);
    g.dispose();
  });
});
