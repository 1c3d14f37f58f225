/** Choosing backends: native, cpu and wasm switch in; tensorflow and unknown names fail clearly. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { availableBackends, useBackend, type BackendName } from '@cat/core';

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** The gradient of sum(conv(x, w)^2) for w: exercises Conv2D and Conv2DBackpropFilter. */
function filterGrad(): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(Array.from({ length: 2 * 5 * 4 }, (_, i) => Math.sin(i)), [2, 5, 4, 1]);
    const w = tf.tensor4d([0.5, -1, 0.25, 2, 1, -0.5, 0.3, 0.1, -0.2, 0.7, 0.4, -0.6], [2, 2, 1, 3]);
    return tf.grad((wv: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, wv as tf.Tensor4D, 1, 'same'))))(w).dataSync() as Float32Array;
  });
}

describe('useBackend', () => {
  it('lists native and cpu as available', () => {
    const names = availableBackends();
    expect(names[0]).toBe('native');
    expect(names).toContain('cpu');
  });

  it('switches to native, cpu and wasm, which agree on a conv filter gradient', async () => {
    const results: Record<string, Float32Array> = {};
    for (const name of ['cpu', 'native', 'wasm'] as BackendName[]) {
      await useBackend(name);
      expect(tf.getBackend()).toBe(name);
      results[name] = filterGrad();
    }
    for (const name of ['native', 'wasm']) {
      results[name].forEach((v, i) => expect(v).toBeCloseTo(results.cpu[i], 4));
    }
  });

  it('explains a missing tfjs-node and rejects unknown names', async () => {
    await expect(useBackend('tensorflow')).rejects.toThrow(/@tensorflow\/tfjs-node/);
    await expect(useBackend('gpu' as BackendName)).rejects.toThrow(/unknown backend 'gpu'/);
  });
});
