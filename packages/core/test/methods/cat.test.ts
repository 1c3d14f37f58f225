import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CatMethod, Rng, klDivBatchMean, weightedCrossEntropy, type TrainState } from '@cat/core';
import { TOY_SHAPE, toyBatch } from '../attacks/tiny-models.js';
import { maxRelativeError } from '../losses/finite-difference.js';
import { disposeState, maxChange, snapshot, tinyState } from './fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const budget = { eps: 0.1, alpha: 0.03, steps: 3 };

describe('CAT update discipline', () => {
  it('step 3 moves f and not g; step 4 moves g and not f', () => {
    const state = tinyState();
    const batch = toyBatch(new Rng(2), 12);
    const cat = new CatMethod({ ...budget, a: 1, b: 0.3 });
    const xAdv = cat.perturb(state, batch);
    const f0 = snapshot(state.f);
    const g0 = snapshot(state.g!);
    const l3 = cat.updateClassifier(state, batch, xAdv);
    const f1 = snapshot(state.f);
    const g1 = snapshot(state.g!);
    expect(maxChange(f0, f1)).toBeGreaterThan(1e-5);
    expect(maxChange(g0, g1)).toBe(0);
    const l4 = cat.updateMask(state, batch, xAdv);
    expect(maxChange(f1, snapshot(state.f))).toBe(0);
    expect(maxChange(g1, snapshot(state.g!))).toBeGreaterThan(1e-6);
    expect(Object.keys(l3).sort()).toEqual(['ce_weighted', 'kl', 'loss_f']);
    expect(Object.keys(l4).sort()).toEqual(['ce_g', 'kl_g', 'loss_g']);
    expect(l3.loss_f).toBeCloseTo(l3.ce_weighted + 1 * l3.kl, 5);
    expect(l4.loss_g).toBeCloseTo(l4.kl_g + 0.3 * l4.ce_g, 5);
    disposeState(state);
  });

  it('the attack result stays within eps of x and in [0,1]', () => {
    const state = tinyState();
    const batch = toyBatch(new Rng(3), 6);
    const xAdv = new CatMethod(budget).perturb(state, batch);
    expect(tf.max(tf.abs(tf.sub(xAdv, batch.x))).dataSync()[0]).toBeLessThanOrEqual(0.1 + 1e-6);
    disposeState(state);
  });

  it('a full step returns every term as a number and leaks no tensors', () => {
    const state = tinyState({ adam: true });
    const batch = toyBatch(new Rng(4), 6);
    const cat = new CatMethod(budget);
    cat.step(state, batch); // creates the optimisers' slots
    const before = tf.memory().numTensors;
    const losses = cat.step(state, batch);
    cat.step(state, batch);
    expect(tf.memory().numTensors).toBe(before);
    for (const k of ['loss_f', 'ce_weighted', 'kl', 'loss_g', 'kl_g', 'ce_g']) expect(Number.isFinite(losses[k])).toBe(true);
    disposeState(state);
  });
});

describe('CAT losses against hand computations', () => {
  it('loss_f equals mean CE (1 - p_y + 1e-7) + a KL(p(x)||p(x_c)) computed by a naive loop', () => {
    const state = tinyState({ linear: true });
    const batch = toyBatch(new Rng(5), 4);
    const cat = new CatMethod({ ...budget, a: 2.5, ablation: 'A2' });
    const xAdv = cat.perturb(state, batch);
    // Logits of the linear model by hand: z = x W + b.
    const [W, b] = state.f.getWeights().map((w) => w.arraySync()) as [number[][], number[]];
    const xs = batch.x.reshape([4, -1]).arraySync() as number[][];
    const xa = xAdv.reshape([4, -1]).arraySync() as number[][];
    const ys = Array.from(batch.y.dataSync());
    const logits = (v: number[]) => b.map((bj, j) => bj + v.reduce((s, vi, i) => s + vi * W[i][j], 0));
    const logSoftmax = (z: number[]) => {
      const m = Math.max(...z);
      const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
      return z.map((v) => v - lse);
    };
    let ceW = 0;
    let kl = 0;
    for (let i = 0; i < 4; i++) {
      const lp = logSoftmax(logits(xs[i]));
      const lq = logSoftmax(logits(xa[i]));
      const ce = -lp[ys[i]];
      ceW += (ce * (1 - Math.exp(lp[ys[i]]) + 1e-7)) / 4;
      kl += lp.reduce((s, v, k) => s + Math.exp(v) * (v - lq[k]), 0) / 4;
    }
    const got = cat.updateClassifier(state, batch, xAdv);
    expect(got.ce_weighted).toBeCloseTo(ceW, 5);
    expect(got.kl).toBeCloseTo(kl, 5);
    expect(got.loss_f).toBeCloseTo(ceW + 2.5 * kl, 5);
    disposeState(state);
  });

  it('the calibrated example is clip(x + g(x_adv) * (x_adv - x), 0, 1)', () => {
    const state = tinyState();
    const batch = toyBatch(new Rng(6), 3);
    const cat = new CatMethod({ ...budget, eps: 0.3 });
    const xAdv = cat.perturb(state, batch);
    const m = (state.g!.predict(xAdv) as tf.Tensor).dataSync();
    const x = batch.x.dataSync();
    const xa = xAdv.dataSync();
    const got = cat.calibrated(state, batch.x, xAdv).dataSync();
    got.forEach((v, i) => expect(v).toBeCloseTo(Math.min(1, Math.max(0, x[i] + m[i] * (xa[i] - x[i]))), 6));
    disposeState(state);
  });
});

describe('ablations', () => {
  /** A mask net whose sigmoid saturates to exactly 1.0 in float32. */
  function maskOfOnes(): tf.LayersModel {
    return tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: TOY_SHAPE,
          filters: 1,
          kernelSize: 1,
          activation: 'sigmoid',
          kernelInitializer: 'zeros',
          biasInitializer: tf.initializers.constant({ value: 100 }),
        }),
      ],
    });
  }

  it('A2 updates f exactly as CAT with a mask of ones, and never touches g', () => {
    const batch = toyBatch(new Rng(7), 6);
    const withOnes: TrainState = { ...tinyState({ seed: 3 }), g: maskOfOnes() };
    const a2 = tinyState({ seed: 3 });
    const full = new CatMethod({ ...budget, a: 2 });
    const ablated = new CatMethod({ ...budget, a: 2, ablation: 'A2' });
    expect(ablated.needsMask).toBe(false);
    const xAdv = full.perturb(withOnes, batch);
    const lFull = full.updateClassifier(withOnes, batch, xAdv);
    const g0 = snapshot(a2.g!);
    const lA2 = ablated.updateClassifier(a2, batch, xAdv);
    expect(lA2.loss_f).toBeCloseTo(lFull.loss_f, 6);
    expect(maxChange(snapshot(withOnes.f), snapshot(a2.f))).toBeLessThan(1e-6);
    expect(maxChange(g0, snapshot(a2.g!))).toBe(0);
    const step = ablated.step(a2, batch);
    expect(step.loss_g).toBeUndefined();
    expect(maxChange(g0, snapshot(a2.g!))).toBe(0);
  });

  it('A1 replaces the weighted CE by plain CE', () => {
    const batch = toyBatch(new Rng(8), 6);
    const state = tinyState({ seed: 4 });
    const a1 = new CatMethod({ ...budget, a: 0, ablation: 'A1' });
    const xAdv = a1.perturb(state, batch);
    const plainCe = tf.tidy(() =>
      tf.losses.softmaxCrossEntropy(tf.oneHot(batch.y, 3), state.f.predict(batch.x) as tf.Tensor).dataSync()[0],
    );
    const got = a1.updateClassifier(state, batch, xAdv);
    expect(got.ce).toBeCloseTo(plainCe, 5);
    expect(got.loss_f).toBeCloseTo(plainCe, 5);
    expect(a1.name).toBe('cat-cent-A1');
  });
});

describe('gradients the CAT steps rely on, against finite differences', () => {
  /** Central differences of `loss()` with respect to every trainable weight of `model`. */
  function fdOverWeights(model: tf.LayersModel, loss: () => number, h = 1e-2): number[] {
    const weights = model.trainableWeights;
    const out: number[] = [];
    for (const w of weights) {
      const base = (w.read().dataSync() as Float32Array).slice();
      for (let i = 0; i < base.length; i++) {
        const at = (v: number) => {
          const copy = base.slice();
          copy[i] = v;
          w.write(tf.tensor(copy, w.shape as number[]));
          return loss();
        };
        out.push((at(base[i] + h) - at(base[i] - h)) / (2 * h));
        w.write(tf.tensor(base, w.shape as number[]));
      }
    }
    return out;
  }
  const flat = (s: Float32Array[]) => s.flatMap((a) => Array.from(a));

  it('step 4: dL_g/d(mask-net weights) through calibrate, read off an SGD step of lr 1', () => {
    // Inputs in [0.3, 0.7] with |delta| <= 0.1, so calibrate's clip is inactive and L_g smooth.
    const state = tinyState({ linear: true, lr: 1 });
    const rng = new Rng(9);
    const n = 4;
    const xv = Float32Array.from({ length: n * 36 }, () => 0.3 + 0.4 * rng.next());
    const dv = Float32Array.from({ length: n * 36 }, () => (rng.next() < 0.5 ? -0.1 : 0.1));
    const x = tf.tensor4d(xv, [n, ...TOY_SHAPE]);
    const xAdv = tf.add(x, tf.tensor4d(dv, [n, ...TOY_SHAPE])) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1, 2, 0], 'int32');
    const cat = new CatMethod({ ...budget, b: 0.3 });
    const lg = () =>
      tf.tidy(() => {
        const xc = cat.calibrated(state, x, xAdv);
        const f = (v: tf.Tensor4D) => state.f.apply(v) as tf.Tensor2D;
        return cat.maskLoss(f(xAdv), f(xc), y).loss.dataSync()[0];
      });
    const numeric = fdOverWeights(state.g!, lg);
    const before = snapshot(state.g!);
    const f0 = snapshot(state.f);
    cat.updateMask(state, { x, y }, xAdv);
    const analytic = flat(before).map((v, i) => v - flat(snapshot(state.g!))[i]);
    expect(maxRelativeError(analytic, numeric)).toBeLessThan(3e-3);
    expect(Math.max(...numeric.map(Math.abs))).toBeGreaterThan(1e-3);
    expect(maxChange(f0, snapshot(state.f))).toBe(0);
  });

  it('step 3: dL_f/d(f weights), gradients through the weight and the KL target', () => {
    const state = tinyState({ linear: true, lr: 1 });
    const batch = toyBatch(new Rng(10), 4);
    const cat = new CatMethod({ ...budget, a: 3 });
    const xAdv = cat.perturb(state, batch);
    const xc = cat.calibrated(state, batch.x, xAdv);
    const lf = () =>
      tf.tidy(() => {
        const f = (v: tf.Tensor4D) => state.f.apply(v) as tf.Tensor2D;
        return cat.classifierLoss(f(batch.x), f(xc), batch.y).loss.dataSync()[0];
      });
    const numeric = fdOverWeights(state.f, lf);
    const before = snapshot(state.f);
    cat.updateClassifier(state, batch, xAdv);
    const analytic = flat(before).map((v, i) => v - flat(snapshot(state.f))[i]);
    expect(maxRelativeError(analytic, numeric)).toBeLessThan(3e-3);
  });

  it('detach switches change the f gradient (weight and target become constants)', () => {
    const batch = toyBatch(new Rng(11), 4);
    const grads = (detach: boolean) => {
      const state = tinyState({ linear: true, lr: 1 });
      const cat = new CatMethod({ ...budget, ablation: 'A2', detachWeight: detach, detachTarget: detach });
      const xAdv = cat.perturb(state, batch);
      const before = snapshot(state.f);
      cat.updateClassifier(state, batch, xAdv);
      return before.flatMap((a, i) => Array.from(a).map((v, j) => v - snapshot(state.f)[i][j]));
    };
    // The reference for the detached gradient: the same loss with the weight and p(x) frozen.
    const state = tinyState({ linear: true, lr: 1 });
    const cat = new CatMethod({ ...budget, ablation: 'A2' });
    const xAdv = cat.perturb(state, batch);
    const f = (v: tf.Tensor4D) => state.f.apply(v) as tf.Tensor2D;
    const zNat = tf.tidy(() => f(batch.x));
    const frozen = () =>
      tf.tidy(() => {
        const z = f(batch.x);
        const ce = tf.neg(tf.sum(tf.mul(tf.logSoftmax(z), tf.oneHot(batch.y, 3)), 1));
        const w = tf.add(tf.sub(1, tf.exp(tf.neg(tf.neg(tf.sum(tf.mul(tf.logSoftmax(zNat), tf.oneHot(batch.y, 3)), 1))))), 1e-7);
        const pLog = tf.logSoftmax(zNat);
        const kl = tf.mean(tf.sum(tf.mul(tf.exp(pLog), tf.sub(pLog, tf.logSoftmax(f(xAdv)))), 1));
        return tf.add(tf.mean(tf.mul(ce, w)), tf.mul(kl, 5)).dataSync()[0];
      });
    const numeric = fdOverWeights(state.f, frozen);
    const detached = grads(true);
    expect(maxRelativeError(detached, numeric)).toBeLessThan(3e-3);
    expect(maxRelativeError(grads(false), detached)).toBeGreaterThan(1e-3);
    // Same value either way: detaching only changes gradients.
    expect(weightedCrossEntropy(zNat as tf.Tensor2D, batch.y).dataSync()[0]).toBeGreaterThan(0);
    expect(klDivBatchMean(zNat as tf.Tensor2D, zNat as tf.Tensor2D).dataSync()[0]).toBeCloseTo(0, 6);
  });
});

describe('options', () => {
  it('rejects out-of-range values and unknown keys with named errors', () => {
    expect(() => new CatMethod({ eps: -0.1 })).toThrow(/eps must be a number in \[0, 1\]/);
    expect(() => new CatMethod({ eps: 0 })).toThrow(/eps must be > 0/);
    expect(() => new CatMethod({ alpha: 0 })).toThrow(/alpha must be a finite number > 0/);
    expect(() => new CatMethod({ steps: 0 })).toThrow(/steps must be an integer >= 1/);
    expect(() => new CatMethod({ a: -1 })).toThrow(/a must be a finite number >= 0/);
    expect(() => new CatMethod({ b: Number.NaN })).toThrow(/b must be a finite number >= 0/);
    expect(() => new CatMethod({ kappa: -5 })).toThrow(/kappa/);
    expect(() => new CatMethod({ ablation: 'A3' as never })).toThrow(/ablation must be/);
    expect(() => new CatMethod({ detachWeight: 'yes' as never })).toThrow(/detachWeight must be true or false/);
    expect(() => new CatMethod({ beta: 6 } as never)).toThrow(/unknown option 'beta'/);
  });

  it('names itself after its attack loss and ablation, and defaults to the spec CIFAR values', () => {
    const c = new CatMethod();
    expect([c.name, c.eps, c.alpha, c.steps, c.a, c.b, c.kappa, c.detachWeight, c.detachTarget]).toEqual([
      'cat-cent', 8 / 255, 2 / 255, 10, 5, 0.05, 50, false, false,
    ]);
    expect(new CatMethod({ attackLoss: 'cw' }).name).toBe('cat-cw');
    expect(new CatMethod({ ablation: 'A2' }).name).toBe('cat-cent-A2');
  });

  it('maskWarmupEpochs holds g still (and omits its terms) before that epoch, then steps it', () => {
    const batch = toyBatch(new Rng(13), 6);
    const cat = new CatMethod({ ...budget, maskWarmupEpochs: 2 });
    const state = tinyState({ epoch: 1 });
    const g0 = snapshot(state.g!);
    const f0 = snapshot(state.f);
    const warm = cat.step(state, batch);
    expect(maxChange(g0, snapshot(state.g!))).toBe(0);
    expect(maxChange(f0, snapshot(state.f))).toBeGreaterThan(1e-5);
    expect(Object.keys(warm).sort()).toEqual(['ce_weighted', 'kl', 'loss_f']);
    const after = cat.step({ ...state, epoch: 2 }, batch);
    expect(maxChange(g0, snapshot(state.g!))).toBeGreaterThan(1e-6);
    expect(Number.isFinite(after.loss_g)).toBe(true);
    expect(new CatMethod(budget).maskWarmupEpochs).toBe(0);
    expect(() => new CatMethod({ maskWarmupEpochs: 1.5 })).toThrow(/maskWarmupEpochs must be an integer >= 0/);
    expect(() => new CatMethod({ maskWarmupEpochs: -1 })).toThrow(/maskWarmupEpochs must be an integer >= 0/);
    disposeState(state);
  });

  it('a step without a mask net says so', () => {
    const state = tinyState();
    expect(() => new CatMethod(budget).step({ ...state, g: undefined }, toyBatch(new Rng(1), 3))).toThrow(/state.g/);
  });
});
