import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asClassifier,
  createAttack,
  crossEntropyPerExample,
  cwLossPerExample,
  defaultEvalAttacks,
  FGSM,
  FriendlyPGD,
  klDivBatchMean,
  PGD,
  Rng,
} from '@cat/core';
import { accuracy, inference, tinyClassifier, TOY_SHAPE, toyBatch, trainedToyClassifier } from './tiny-models.js';

let trained: tf.LayersModel;
beforeAll(async () => {
  await tf.setBackend('cpu');
  trained = trainedToyClassifier(3);
});
afterAll(() => trained.dispose());

/** A linear classifier `x W + b` with fixed weights, so input gradients can be done by hand. */
function linearModel(d: number, k: number, weights: number[], bias: number[]): tf.LayersModel {
  const m = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [1, d, 1] }), tf.layers.dense({ units: k })],
  });
  m.layers[1].setWeights([tf.tensor2d(weights, [d, k]), tf.tensor1d(bias)]);
  return m;
}

describe('FGSM', () => {
  it('equals x + eps * sign(W (p - e_y)) clamped, computed by a naive loop', () => {
    const d = 4;
    const k = 3;
    const W = [0.5, -1, 0.2, 1, 0.3, -0.4, -0.7, 0.1, 0.9, 0.2, 0.2, -0.6];
    const b = [0.1, 0, -0.1];
    const model = linearModel(d, k, W, b);
    const xs = [0.1, 0.5, 0.95, 0.02];
    const y = 1;
    const eps = 0.1;
    const z = [0, 1, 2].map((j) => b[j] + xs.reduce((s, xi, i) => s + xi * W[i * k + j], 0));
    const zmax = Math.max(...z);
    const e = z.map((v) => Math.exp(v - zmax));
    const p = e.map((v) => v / e.reduce((a, c) => a + c, 0));
    const expected = xs.map((xi, i) => {
      const g = [0, 1, 2].reduce((s, j) => s + W[i * k + j] * (p[j] - (j === y ? 1 : 0)), 0);
      return Math.min(1, Math.max(0, xi + eps * Math.sign(g)));
    });
    const xAdv = new FGSM({ eps }).run(asClassifier(model), tf.tensor4d(xs, [1, 1, d, 1]), tf.tensor1d([y], 'int32'));
    const got = Array.from(xAdv.dataSync());
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  it('equals one PGD step of size eps without random start', () => {
    const { x, y } = toyBatch(new Rng(1), 9);
    const f = inference(trained);
    const a = new FGSM({ eps: 0.2 }).run(f, x, y);
    const b = new PGD({ eps: 0.2, alpha: 0.2, steps: 1, randomStart: false }).run(f, x, y);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
  });
});

describe('PGD', () => {
  const f = () => inference(trained);

  it('lowers accuracy below clean on a trained model, more steps lower it further or equally', () => {
    const { x, y } = toyBatch(new Rng(5), 30);
    const clean = accuracy(f(), x, y);
    const acc = (steps: number) =>
      accuracy(f(), new PGD({ eps: 0.25, alpha: 0.025, steps, randomStart: false }).run(f(), x, y), y);
    const a2 = acc(2);
    const a20 = acc(20);
    expect(clean).toBe(1);
    expect(a20).toBeLessThan(clean);
    expect(a20).toBeLessThanOrEqual(a2);
  });

  it('is reproducible from its seed and differs across seeds with a random start', () => {
    const { x, y } = toyBatch(new Rng(6), 6);
    const run = (seed: number) => new PGD({ eps: 0.1, alpha: 0.02, steps: 3, seed }).run(f(), x, y).dataSync();
    expect(Array.from(run(4))).toEqual(Array.from(run(4)));
    expect(Array.from(run(4))).not.toEqual(Array.from(run(5)));
  });

  it('draws its starts from the shared Rng, advancing its state', () => {
    const { x, y } = toyBatch(new Rng(6), 3);
    const rng = new Rng(11);
    const before = rng.state();
    new PGD({ eps: 0.1, alpha: 0.02, steps: 1, rng }).run(f(), x, y).dispose();
    expect(rng.state()).not.toEqual(before);
  });

  it('restarts never raise accuracy and never lower the per-example loss of a kept correct example', () => {
    const { x, y } = toyBatch(new Rng(8), 30);
    const opts = { eps: 0.15, alpha: 0.03, steps: 3, seed: 21 };
    const one = new PGD({ ...opts, restarts: 1 }).run(f(), x, y);
    const four = new PGD({ ...opts, restarts: 4 }).run(f(), x, y);
    expect(accuracy(f(), four, y)).toBeLessThanOrEqual(accuracy(f(), one, y));
    // Where both runs leave an example correct, the kept one has at least the first run's loss.
    const [l1, l4, ok1, ok4] = tf.tidy(() => [
      crossEntropyPerExample(f()(one), y).dataSync(),
      crossEntropyPerExample(f()(four), y).dataSync(),
      tf.equal(tf.argMax(f()(one), 1), y).dataSync(),
      tf.equal(tf.argMax(f()(four), 1), y).dataSync(),
    ]);
    for (let i = 0; i < l1.length; i++) if (ok1[i] && ok4[i]) expect(l4[i]).toBeGreaterThanOrEqual(l1[i] - 1e-6);
  });

  it('with loss cw ascends the CW margin loss', () => {
    const { x, y } = toyBatch(new Rng(9), 12);
    const xAdv = new PGD({ eps: 0.1, alpha: 0.02, steps: 5, loss: 'cw', kappa: 50, randomStart: false }).run(f(), x, y);
    const sum = (xi: tf.Tensor4D) => tf.tidy(() => tf.sum(cwLossPerExample(f()(xi), y, 50)).dataSync()[0]);
    expect(sum(xAdv)).toBeGreaterThan(sum(x));
  });

  it('with loss kl ascends KL(p(x) || p(x_adv)) from the TRADES start', () => {
    // An untrained model: a saturated softmax (the trained toy model) has KL gradients below
    // float32 resolution at the start point, as TRADES's attack also has.
    const fresh = tinyClassifier(TOY_SHAPE, 3, 5);
    const g = inference(fresh);
    const { x, y } = toyBatch(new Rng(10), 12);
    const attack = new PGD({ eps: 0.1, alpha: 0.02, steps: 5, loss: 'kl' });
    expect(attack.randomStart).toBe('normal');
    const start = new PGD({ eps: 0.1, alpha: 0.02, steps: 1, loss: 'kl', seed: 0 });
    const xAdv = attack.run(g, x, y);
    const x1 = start.run(g, x, y);
    const kl = (xi: tf.Tensor4D) => tf.tidy(() => klDivBatchMean(g(x), g(xi)).dataSync()[0]);
    expect(kl(xAdv)).toBeGreaterThan(kl(x1));
    expect(kl(xAdv)).toBeGreaterThan(1e-3);
    fresh.dispose();
  });

  it('rejects bad options and inputs with named errors', () => {
    expect(() => new PGD({ eps: 2, alpha: 0.1, steps: 1 })).toThrow(/eps must be a number in \[0, 1\]/);
    expect(() => new PGD({ eps: 0.1, alpha: 0, steps: 1 })).toThrow(/alpha must be a finite number > 0/);
    expect(() => new PGD({ eps: 0.1, alpha: 0.1, steps: 1.5 })).toThrow(/steps must be an integer >= 1/);
    expect(() => new PGD({ eps: 0.1, alpha: 0.1, steps: 1, loss: 'mse' as never })).toThrow(/loss must be one of/);
    expect(() => new PGD({ eps: 0.1, alpha: 0.1, steps: 1, restarts: 0 })).toThrow(/restarts/);
    const attack = new PGD({ eps: 0.1, alpha: 0.1, steps: 1 });
    expect(() => attack.run(f(), tf.zeros([2, 6, 6]) as never, tf.tensor1d([0, 1], 'int32'))).toThrow(/rank 4/);
    expect(() => attack.run(f(), tf.zeros([2, 6, 6, 1]), tf.tensor1d([0, 1], 'float32'))).toThrow(/int32/);
  });
});

describe('FriendlyPGD', () => {
  const f = () => inference(trained);

  /** Reference: run each example alone, one PGD step at a time, with the FAT counter in JS. */
  function naiveFriendly(x: tf.Tensor4D, y: tf.Tensor1D, eps: number, alpha: number, steps: number, tau: number) {
    const n = x.shape[0];
    const out: tf.Tensor4D[] = [];
    for (let i = 0; i < n; i++) {
      const xi = tf.slice(x, [i, 0, 0, 0], [1, ...TOY_SHAPE]) as tf.Tensor4D;
      const yi = tf.slice(y, [i], [1]) as tf.Tensor1D;
      let cur = xi.clone();
      let control = tau;
      for (let s = 0; s < steps; s++) {
        const wrong = tf.argMax(f()(cur), 1).dataSync()[0] !== yi.dataSync()[0];
        if (wrong && control === 0) break;
        if (wrong) control -= 1;
        cur = new PGD({ eps, alpha, steps: 1, randomStart: false }).run(f(), cur, yi);
        // One-step PGD projects around `cur`; re-project around the true x.
        cur = tf.clipByValue(tf.minimum(tf.maximum(cur, tf.sub(xi, eps)), tf.add(xi, eps)), 0, 1) as tf.Tensor4D;
      }
      out.push(cur);
    }
    return tf.concat(out) as tf.Tensor4D;
  }

  it.each([0, 1, 3])('stops each example tau=%i steps after it is first misclassified (naive reference)', (tau) => {
    const { x, y } = toyBatch(new Rng(12), 9);
    const [eps, alpha, steps] = [0.3, 0.05, 8];
    const got = new FriendlyPGD({ eps, alpha, steps, tau, loss: 'ce', randomStart: false }).run(f(), x, y);
    const want = naiveFriendly(x, y, eps, alpha, steps, tau);
    expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBeLessThan(1e-6);
  });

  it('with tau >= steps equals plain PGD from the same start', () => {
    const { x, y } = toyBatch(new Rng(13), 9);
    const opts = { eps: 0.3, alpha: 0.05, steps: 6, loss: 'kl' as const, seed: 3 };
    const friendly = new FriendlyPGD({ ...opts, tau: 6 }).run(f(), x, y);
    const plain = new PGD(opts).run(f(), x, y);
    expect(tf.max(tf.abs(tf.sub(friendly, plain))).dataSync()[0]).toBe(0);
  });

  it('moves misclassified examples less than plain PGD (early stop), tau 0', () => {
    const { x, y } = toyBatch(new Rng(14), 12);
    const opts = { eps: 0.3, alpha: 0.05, steps: 10, loss: 'ce' as const, randomStart: false };
    const dist = (a: tf.Tensor) => tf.tidy(() => tf.sum(tf.abs(tf.sub(a, x))).dataSync()[0]);
    expect(dist(new FriendlyPGD({ ...opts, tau: 0 }).run(f(), x, y))).toBeLessThan(dist(new PGD(opts).run(f(), x, y)));
  });
});

describe('registry', () => {
  it('resolves the CLI names with the spec evaluation settings', () => {
    const cifar = { eps: 8 / 255, dataset: 'cifar10' };
    const pgd20 = createAttack('pgd20', cifar) as PGD;
    expect([pgd20.name, pgd20.steps, pgd20.alpha, pgd20.randomStart, pgd20.loss]).toEqual(['PGD-20', 20, 0.003, 'none', 'ce']);
    const pgd100 = createAttack('pgd100', { eps: 0.3, dataset: 'mnist' }) as PGD;
    expect([pgd100.steps, pgd100.alpha, pgd100.randomStart]).toEqual([100, 0.01, 'none']);
    const cw = createAttack('cw', cifar) as PGD;
    expect([cw.name, cw.loss, cw.kappa, cw.steps, cw.alpha, cw.randomStart]).toEqual(['CW-inf', 'cw', 50, 30, 0.003, 'uniform']);
    const fgsm = createAttack('fgsm', cifar) as FGSM;
    expect([fgsm.name, fgsm.eps]).toEqual(['FGSM', 8 / 255]);
    expect((createAttack('pgd10', cifar) as PGD).steps).toBe(10);
  });

  it('accepts overrides and explicit specs', () => {
    const a = createAttack('pgd20:restarts=3,alpha=0.005,randomStart=true', { eps: 0.03 }) as PGD;
    expect([a.restarts, a.alpha, a.randomStart]).toEqual([3, 0.005, 'uniform']);
    const b = createAttack({ kind: 'friendly-pgd', eps: 0.03, alpha: 0.01, steps: 4, tau: 2 }) as FriendlyPGD;
    expect([b.tau, b.loss]).toEqual([2, 'kl']);
  });

  it('defaultEvalAttacks gives FGSM, PGD-20, PGD-100, CW-inf', () => {
    expect(defaultEvalAttacks('cifar10', 8 / 255).map((a) => a.name)).toEqual(['FGSM', 'PGD-20', 'PGD-100', 'CW-inf']);
    expect((defaultEvalAttacks('mnist', 0.3)[1] as PGD).alpha).toBe(0.01);
    expect(() => defaultEvalAttacks('imagenet', 0.1)).toThrow(/unknown dataset 'imagenet'/);
  });

  it('names the problem for unknown names, missing eps and bad overrides', () => {
    expect(() => createAttack('deepfool', { eps: 0.1 })).toThrow(/unknown attack 'deepfool'/);
    expect(() => createAttack('pgd20')).toThrow(/eps is required/);
    expect(() => createAttack('pgd20:steps=abc', { eps: 0.1 })).toThrow(/steps must be a number/);
    expect(() => createAttack('pgd20:colour=red', { eps: 0.1 })).toThrow(/unknown option 'colour'/);
  });
});
