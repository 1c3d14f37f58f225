import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer, getLearningRate, restoreOptimizer, setLearningRate, snapshotOptimizer } from '@cat/trainer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** One step of minimising sum(c * w) (gradient c) with `opt`. */
function stepLinear(opt: tf.Optimizer, w: tf.Variable, c: number[]) {
  opt.minimize(() => tf.sum(tf.mul(w, tf.tensor1d(c))) as tf.Scalar, false, [w]);
}

describe('SGD with momentum and coupled weight decay', () => {
  it('matches torch.optim.SGD by hand: v = m v + (g + wd w), w -= lr v', () => {
    const lr = 0.1;
    const m = 0.9;
    const wd = 0.01;
    const w = tf.variable(tf.tensor1d([1, -2]));
    const opt = createOptimizer({ kind: 'sgd', lr, momentum: m, weightDecay: wd });
    const c = [0.5, 3];
    // Hand computation in float64.
    let wr = [1, -2];
    let v = [0, 0];
    for (let s = 0; s < 3; s++) {
      stepLinear(opt, w, c);
      const g = c.map((ci, i) => ci + wd * wr[i]);
      v = v.map((vi, i) => m * vi + g[i]);
      wr = wr.map((wi, i) => wi - lr * v[i]);
      const got = w.dataSync();
      expect(got[0]).toBeCloseTo(wr[0], 5);
      expect(got[1]).toBeCloseTo(wr[1], 5);
    }
    // Without decay the same steps give a different answer (the decay term is really applied).
    const w2 = tf.variable(tf.tensor1d([1, -2]));
    const opt2 = createOptimizer({ kind: 'sgd', lr, momentum: m, weightDecay: 0 });
    for (let s = 0; s < 3; s++) stepLinear(opt2, w2, c);
    expect(Math.abs(w2.dataSync()[0] - w.dataSync()[0])).toBeGreaterThan(1e-4);
    tf.dispose([w, w2]);
    opt.dispose();
    opt2.dispose();
  });

  it('changes the learning rate in place', () => {
    const opt = createOptimizer({ kind: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0 });
    setLearningRate(opt, 0.01);
    expect(getLearningRate(opt)).toBe(0.01);
    const w = tf.variable(tf.tensor1d([1]));
    stepLinear(opt, w, [1]);
    expect(w.dataSync()[0]).toBeCloseTo(0.99, 6);
    w.dispose();
  });

  it('refuses weight decay with adam rather than silently ignoring it', () => {
    expect(() => createOptimizer({ kind: 'adam', lr: 1e-3, momentum: 0, weightDecay: 1e-4 })).toThrow(/weight decay is only implemented for sgd/);
  });
});

describe('optimizer snapshots', () => {
  it.each(['adam', 'sgd'] as const)('%s: save after 3 steps, restore into a fresh optimizer: next steps are bit-identical', async (kind) => {
    const spec = { kind, lr: 0.05, momentum: 0.9, weightDecay: kind === 'sgd' ? 5e-4 : 0 };
    const c = [0.3, -1.7, 2.2];
    const w = tf.variable(tf.tensor1d([0.1, 0.2, -0.3]));
    const opt = createOptimizer(spec);
    for (let s = 0; s < 3; s++) stepLinear(opt, w, c);
    const snap = await snapshotOptimizer(opt);
    const wSaved = w.dataSync().slice();
    for (let s = 0; s < 4; s++) stepLinear(opt, w, c);

    const w2 = tf.variable(tf.tensor1d(Array.from(wSaved)));
    const opt2 = createOptimizer({ ...spec, lr: 1 });
    await restoreOptimizer(opt2, snap);
    expect(getLearningRate(opt2)).toBe(0.05);
    for (let s = 0; s < 4; s++) stepLinear(opt2, w2, c);
    expect(Array.from(w2.dataSync())).toEqual(Array.from(w.dataSync()));
    tf.dispose(snap.weights.map((x) => x.tensor));
    tf.dispose([w, w2]);
  });

  it('refuses state of another optimizer kind', async () => {
    const adam = createOptimizer({ kind: 'adam', lr: 1, momentum: 0, weightDecay: 0 });
    const snap = await snapshotOptimizer(adam);
    const sgd = createOptimizer({ kind: 'sgd', lr: 1, momentum: 0.9, weightDecay: 0 });
    await expect(restoreOptimizer(sgd, snap)).rejects.toThrow(/checkpoint holds Adam state, the run uses Momentum/);
  });
});
