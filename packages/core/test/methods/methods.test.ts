import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AtMethod,
  createMethod,
  FatTradesMethod,
  METHOD_NAMES,
  MartMethod,
  Rng,
  tauAt,
  TradesMethod,
  type TrainMethod,
} from '@cat/core';
import { toyBatch } from '../attacks/tiny-models.js';
import { disposeState, maxChange, snapshot, tinyState } from './fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const budget = { eps: 0.1, alpha: 0.03, steps: 3 };
const mainLoss = (m: TrainMethod) => (m.name.startsWith('cat') ? 'loss_f' : 'loss');

describe.each(METHOD_NAMES.map((n) => [n]))('method %s', (name) => {
  it('lowers its loss over a few steps on a separable toy problem', () => {
    const method = createMethod(name, budget);
    const state = tinyState({ adam: true, lr: 0.02, seed: 5 });
    const batch = toyBatch(new Rng(6), 24);
    const losses: number[] = [];
    for (let i = 0; i < 15; i++) losses.push(method.step(state, batch)[mainLoss(method)]);
    const head = (losses[0] + losses[1] + losses[2]) / 3;
    const tail = (losses[12] + losses[13] + losses[14]) / 3;
    expect(tail).toBeLessThan(0.8 * head);
    disposeState(state);
  });

  it('leaks no tensors across steps and steps only what it owns', () => {
    const method = createMethod(name, budget);
    const state = tinyState({ adam: true });
    const batch = toyBatch(new Rng(7), 6);
    method.step(state, batch); // creates the optimisers' slot variables
    const before = tf.memory().numTensors;
    const f0 = snapshot(state.f);
    const g0 = snapshot(state.g!);
    const losses = method.step(state, batch);
    method.step(state, batch);
    expect(tf.memory().numTensors).toBe(before);
    expect(maxChange(f0, snapshot(state.f))).toBeGreaterThan(0);
    if (!method.needsMask) expect(maxChange(g0, snapshot(state.g!))).toBe(0);
    for (const v of Object.values(losses)) expect(Number.isFinite(v)).toBe(true);
    disposeState(state);
  });
});

describe('loss terms', () => {
  it('AT reports the adversarial CE; TRADES ce + beta kl; MART bce + lambda kl', () => {
    const batch = toyBatch(new Rng(8), 6);
    const at = new AtMethod(budget).step(tinyState(), batch);
    expect(Object.keys(at)).toEqual(['loss']);
    const tr = new TradesMethod({ ...budget, beta: 2 }).step(tinyState(), batch);
    expect(tr.loss).toBeCloseTo(tr.ce + 2 * tr.kl, 5);
    const mart = new MartMethod({ ...budget, lambda: 3 }).step(tinyState(), batch);
    expect(mart.loss).toBeCloseTo(mart.bce + 3 * mart.kl, 5);
  });

  it('FAT-TRADES reports the tau of the epoch', () => {
    const batch = toyBatch(new Rng(9), 6);
    const fat = new FatTradesMethod({ ...budget, tau: { max: 3 } });
    expect(fat.step(tinyState({ epoch: 0, epochs: 8 }), batch).tau).toBe(0);
    expect(fat.step(tinyState({ epoch: 7, epochs: 8 }), batch).tau).toBe(3);
  });
});

describe('tau schedule', () => {
  it('grows 0 -> max in equal stages, or by milestones, or stays fixed', () => {
    expect([0, 29, 30, 59, 60, 90, 119].map((e) => tauAt({ max: 3 }, e, 120))).toEqual([0, 0, 1, 1, 2, 3, 3]);
    expect([0, 50, 51, 90, 91].map((e) => tauAt({ milestones: [51, 91] }, e, 120))).toEqual([0, 0, 1, 1, 2]);
    expect(tauAt(2, 5, 10)).toBe(2);
  });

  it('rejects malformed schedules', () => {
    expect(() => new FatTradesMethod({ tau: -1 })).toThrow(/tau must be an integer >= 0/);
    expect(() => new FatTradesMethod({ tau: { max: 1.5 } })).toThrow(/tau max/);
    expect(() => new FatTradesMethod({ tau: { milestones: [5, 2] } })).toThrow(/ascending/);
    expect(() => new FatTradesMethod({ tau: 'x' as never })).toThrow(/tau must be/);
  });
});

describe('registry', () => {
  it('builds every method by name with its hyper-parameters', () => {
    expect(METHOD_NAMES.map((n) => createMethod(n).name)).toEqual([...METHOD_NAMES]);
    expect(createMethod('cat-cent').needsMask).toBe(true);
    expect(createMethod('at').needsMask).toBe(false);
    expect((createMethod('trades', { beta: 1 }) as TradesMethod).beta).toBe(1);
    expect((createMethod('mart') as MartMethod).lambda).toBe(6);
    expect((createMethod('cat-cw', { kappa: 150, eps: 0.3, alpha: 0.015, steps: 20 }) as never as { kappa: number }).kappa).toBe(150);
  });

  it('names the problem', () => {
    expect(() => createMethod('madry')).toThrow(/unknown method 'madry'/);
    expect(() => createMethod('cat-cw', { attackLoss: 'ce' } as never)).toThrow(/attackLoss is fixed/);
    expect(() => createMethod('trades', { beta: -1 })).toThrow(/beta must be a finite number >= 0/);
    expect(() => createMethod('mart', { lambda: Infinity })).toThrow(/lambda/);
    expect(() => createMethod('at', { a: 1 } as never)).toThrow(/unknown option 'a'/);
    expect(() => createMethod('at', { steps: 2.5 })).toThrow(/steps must be an integer/);
    const state = tinyState();
    expect(() => createMethod('at', budget).step(state, { x: tf.zeros([2, 6, 6, 1]), y: tf.tensor1d([0, 1]) as tf.Tensor1D })).toThrow(
      /batch.y must be int32/,
    );
  });
});

describe('methodDefaults', () => {
  it('gives the spec table per dataset, accepted by createMethod', async () => {
    const { methodDefaults, CatMethod } = await import('@cat/core');
    const mnist = methodDefaults('cat-cw', 'mnist');
    expect(mnist).toEqual({ eps: 0.3, alpha: 0.015, steps: 20, a: 1, b: 0.3, kappa: 150 });
    const cifar = createMethod('cat-cent', methodDefaults('cat-cent', 'cifar10')) as InstanceType<typeof CatMethod>;
    expect([cifar.eps, cifar.alpha, cifar.steps, cifar.a, cifar.b]).toEqual([8 / 255, 2 / 255, 10, 5, 0.05]);
    for (const n of METHOD_NAMES) expect(createMethod(n, methodDefaults(n, 'fashion-mnist')).name).toBe(n);
    expect(() => methodDefaults('at', 'svhn')).toThrow(/unknown dataset 'svhn'/);
  });
});
