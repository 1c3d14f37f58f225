/**
 * The MNIST networks against PyTorch. The expected numbers come from PyTorch 1.13 (Debian's
 * python3-torch) running the SPEC.md layers with `padding=1` convs, `F.interpolate(mode=
 * 'nearest')` and the same pattern weights (see pattern.ts; conv kernels transposed from tfjs's
 * [kh, kw, in, out] to torch's [out, in, kh, kw], activations permuted to NHWC before the
 * flatten). With tfjs's asymmetric 'same' padding on the stride-2 convs instead, the first
 * logit would be 0.011122, not -0.129276, so these checks pin PyTorch's padding down.
 * Regenerate with reference/torch_reference.py.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildClassifier, buildMaskNet } from '@cat/core';
import { patternImages, setPatternWeights } from './pattern.js';

const torchLogits = [
  [-0.129276, 0.00554, -0.099989, 0.089419, -0.012726, -0.058723, 0.079154, 0.006203, 0.019465, -0.008444],
  [-0.067601, -0.009615, -0.039074, 0.02961, -0.059473, -0.015089, -0.024825, 0.031332, 0.094341, -0.065554],
];
const maskPoints: [number, number][] = [[0, 0], [0, 27], [27, 0], [27, 27], [13, 14], [1, 2], [26, 5], [7, 7]];
const torchMaskAtPoints = [
  [0.504029, 0.405525, 0.42194, 0.489972, 0.78281, 0.315468, 0.37793, 0.419951],
  [0.548866, 0.434338, 0.448165, 0.616472, 0.688399, 0.264741, 0.381641, 0.778687],
];
const torchMaskMean = 0.472426;

describe('MNIST networks match PyTorch on fixed weights', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('mnist-cnn logits', () => {
    const f = buildClassifier('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10 });
    setPatternWeights(f);
    const x = patternImages([2, 28, 28, 1]);
    const logits = f.predict(x) as tf.Tensor2D;
    const got = logits.arraySync();
    for (let n = 0; n < 2; n++) {
      for (let k = 0; k < 10; k++) expect(got[n][k]).toBeCloseTo(torchLogits[n][k], 5);
    }
    tf.dispose([x, logits]);
    f.dispose();
  });

  it('mnist-mask values (nearest resize, padding at the borders)', () => {
    const g = buildMaskNet('mnist-mask', { inputShape: [28, 28, 1] });
    setPatternWeights(g);
    const x = patternImages([2, 28, 28, 1]);
    const m = g.predict(x) as tf.Tensor4D;
    const got = m.arraySync();
    for (let n = 0; n < 2; n++) {
      maskPoints.forEach(([i, j], p) => expect(got[n][i][j][0]).toBeCloseTo(torchMaskAtPoints[n][p], 5));
    }
    expect(m.mean().dataSync()[0]).toBeCloseTo(torchMaskMean, 5);
    tf.dispose([x, m]);
    g.dispose();
  });
});
