import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Apgd, AutoAttack, Fab, FabTargeted, SquareAttack, createAttack, evaluate, sanityCheck, type Attack } from '@cat/core';
import { accuracy, maxAbsDiff, trainedFixture, type Fixture } from './fixture.js';

let fx: Fixture;
let x: tf.Tensor4D;
let y: tf.Tensor1D;
const N = 60;
const EPS = 0.05;

beforeAll(async () => {
  fx = await trainedFixture();
  ({ x, y } = fx.testTensors(N));
});

function checkInvariants(adv: tf.Tensor4D, eps: number) {
  expect(adv.shape).toEqual(x.shape);
  expect(maxAbsDiff(adv, x)).toBeLessThanOrEqual(eps + 1e-6);
  expect(tf.min(adv).dataSync()[0]).toBeGreaterThanOrEqual(0);
  expect(tf.max(adv).dataSync()[0]).toBeLessThanOrEqual(1);
}

describe('evaluation attacks on a small trained MLP', () => {
  it('the fixture is an honest, accurate model that PGD-20 hurts', () => {
    expect(accuracy(fx.honest, x, y)).toBeGreaterThan(0.85);
    const pgd = createAttack('pgd20', { eps: EPS, dataset: 'mnist' }).run(fx.honest, x, y);
    expect(accuracy(fx.honest, pgd, y)).toBeLessThan(0.8);
  });

  it('APGD-CE stays in the ball and reaches at most PGD-20 accuracy', () => {
    const pgdAcc = accuracy(fx.honest, createAttack('pgd20', { eps: EPS, dataset: 'mnist' }).run(fx.honest, x, y), y);
    const adv = new Apgd({ eps: EPS, nIter: 20, rng: 1 }).run(fx.honest, x, y);
    checkInvariants(adv, EPS);
    expect(accuracy(fx.honest, adv, y)).toBeLessThanOrEqual(pgdAcc);
  });

  it('APGD-T (targeted DLR) breaks a logit-scaled model that defeats APGD-CE', () => {
    // Scaling logits by 1e4 zeroes CE gradients but the DLR loss is scale-invariant.
    const ce = new Apgd({ eps: 0.1, nIter: 10, rng: 1 }).run(fx.masked, x, y);
    const t = new Apgd({ eps: 0.1, nIter: 10, loss: 'dlr-targeted', nTargetClasses: 2, rng: 1 }).run(fx.masked, x, y);
    checkInvariants(t, 0.1);
    expect(accuracy(fx.masked, ce, y)).toBeGreaterThan(0.8);
    expect(accuracy(fx.masked, t, y)).toBeLessThan(0.3);
  });

  it('FAB-T keeps its perturbations inside the eps ball and finds adversarials', () => {
    const adv = new FabTargeted({ eps: 0.1, nIter: 15, nTargetClasses: 2 }).run(fx.honest, x, y);
    checkInvariants(adv, 0.1);
    expect(accuracy(fx.honest, adv, y)).toBeLessThan(0.5);
  });

  it('untargeted FAB and APGD-DLR find adversarials inside the ball; APGD-DLR breaks the logit-scaled model', () => {
    const fab = new Fab({ eps: 0.1, targeted: false, nIter: 10 }).run(fx.honest, x, y);
    checkInvariants(fab, 0.1);
    expect(accuracy(fx.honest, fab, y)).toBeLessThan(0.5);
    // The untargeted DLR loss is scale-invariant too: saturated logits do not hide its gradient.
    const dlr = new Apgd({ eps: 0.1, nIter: 10, loss: 'dlr', rng: 1 }).run(fx.masked, x, y);
    checkInvariants(dlr, 0.1);
    expect(accuracy(fx.masked, dlr, y)).toBeLessThan(0.3);
  });

  it('Square respects its query budget, counts queries per example and stops on success', () => {
    const budget = 60;
    const sq = new SquareAttack({ eps: 0.1, nQueries: budget, rng: 3 });
    const { xAdv, queries } = sq.runDetailed(fx.honest, x, y);
    checkInvariants(xAdv, 0.1);
    const clean = tf.argMax(fx.honest(x), 1).dataSync();
    const after = tf.argMax(fx.honest(xAdv), 1).dataSync();
    const labels = y.dataSync();
    let stoppedEarly = 0;
    for (let i = 0; i < N; i++) {
      expect(queries[i]).toBeLessThanOrEqual(budget);
      if (clean[i] !== labels[i]) expect(queries[i]).toBe(0);
      else if (after[i] === labels[i]) expect(queries[i]).toBe(budget);
      else {
        expect(queries[i]).toBeGreaterThanOrEqual(1);
        if (queries[i] < budget) stoppedEarly++;
      }
    }
    expect(stoppedEarly).toBeGreaterThan(0);
    expect(accuracy(fx.honest, xAdv, y)).toBeLessThan(accuracy(fx.honest, x, y));
    // Same seed, same result.
    const again = new SquareAttack({ eps: 0.1, nQueries: budget, rng: 3 }).runDetailed(fx.honest, x, y);
    expect(Array.from(again.queries)).toEqual(Array.from(queries));
    expect(maxAbsDiff(again.xAdv, xAdv)).toBe(0);
  });

  it('AutoAttack (reduced budget) reaches at most PGD-20 accuracy, with a monotone breakdown', () => {
    const pgdAcc = accuracy(fx.honest, createAttack('pgd20', { eps: EPS, dataset: 'mnist' }).run(fx.honest, x, y), y);
    const aa = new AutoAttack({ eps: EPS, apgdIter: 10, fabIter: 10, nTargetClasses: 2, squareQueries: 50, rng: 5 });
    const adv = aa.run(fx.honest, x, y);
    checkInvariants(adv, EPS);
    const acc = accuracy(fx.honest, adv, y);
    expect(acc).toBeLessThanOrEqual(pgdAcc);
    const b = aa.lastBreakdown!;
    expect(b.stages.map((s) => s.name)).toEqual(['apgd-ce', 'apgd-t', 'fab-t', 'square']);
    let prev = b.clean;
    for (const s of b.stages) {
      expect(s.robustAccuracy).toBeLessThanOrEqual(prev);
      prev = s.robustAccuracy;
    }
    expect(prev).toBeCloseTo(acc, 6);
  });

  it('leaves no tensors behind', () => {
    const xs = tf.slice(x, [0, 0, 0, 0], [8, -1, -1, -1]) as tf.Tensor4D;
    const ys = tf.slice(y, [0], [8]) as tf.Tensor1D;
    const attacks: Attack[] = [
      new Apgd({ eps: EPS, nIter: 5 }),
      new Apgd({ eps: EPS, nIter: 5, loss: 'dlr-targeted', nTargetClasses: 2 }),
      new FabTargeted({ eps: EPS, nIter: 5, nTargetClasses: 2 }),
      new SquareAttack({ eps: EPS, nQueries: 10 }),
      new AutoAttack({ eps: EPS, apgdIter: 5, fabIter: 5, nTargetClasses: 2, squareQueries: 10 }),
    ];
    for (const a of attacks) {
      const before = tf.memory().numTensors;
      const adv = a.run(fx.honest, xs, ys);
      adv.dispose();
      expect(tf.memory().numTensors, a.name).toBe(before);
    }
  });

  it('the masking check fires on a logit-saturated model and stays quiet on the honest one', async () => {
    const attacks = (): { name: string; attack: Attack }[] => [
      { name: 'fgsm', attack: createAttack('fgsm', { eps: 0.1 }) },
      { name: 'pgd20', attack: createAttack('pgd20', { eps: 0.1, dataset: 'mnist' }) },
      { name: 'square', attack: new SquareAttack({ eps: 0.1, nQueries: 100, rng: 1 }) },
    ];
    const set = { ...fx.test, count: 40 };
    const honest = await evaluate(fx.honest, set, attacks(), { batchSize: 20 });
    const masked = await evaluate(fx.masked, set, attacks(), { batchSize: 20 });
    expect(honest.accuracies.map((a) => a.name)).toEqual(['natural', 'fgsm', 'pgd20', 'square']);
    expect(sanityCheck(honest)).toEqual([]);
    const findings = sanityCheck(masked);
    expect(findings.map((f) => f.check)).toContain('black-box');
  });
});
