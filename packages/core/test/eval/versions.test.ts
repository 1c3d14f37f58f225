/**
 * AutoAttack's versions (standard, plus, rand, custom) as the reference's `set_version` defines
 * them, untargeted FAB and APGD's EOT, AutoAttack's printed log and its checks on the model. Every
 * model here is a tiny linear one on 2x2 images, so the file runs in seconds.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  AUTOATTACK_VERSION_SETTINGS,
  Apgd,
  AutoAttack,
  EVAL_ATTACK_NAMES,
  Fab,
  FabTargeted,
  SquareAttack,
  autoAttackLog,
  autoAttackName,
  createEvalAttack,
  modelChecks,
  parseAutoAttackStages,
  sanityCheck,
  type Attack,
  type Classifier,
  type EvalResult,
} from '@cat/core';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Settings of a stage's attack, read off the built object. */
function settings(a: Attack): Record<string, unknown> {
  if (a instanceof Apgd) return { kind: 'apgd', loss: a.loss, nRestarts: a.nRestarts, eotIter: a.eotIter, nIter: a.nIter, ...(a.loss === 'dlr-targeted' ? { nTargetClasses: a.nTargetClasses } : {}) };
  if (a instanceof Fab) return { kind: 'fab', targeted: a.targeted, nRestarts: a.nRestarts, nIter: a.nIter, ...(a.targeted ? { nTargetClasses: a.nTargetClasses } : {}) };
  if (a instanceof SquareAttack) return { kind: 'square', nQueries: a.nQueries, pInit: a.pInit, rescaleSchedule: a.rescaleSchedule };
  throw new Error(`unexpected stage ${a.name}`);
}

const plan = (aa: AutoAttack) => aa.plan.map((s) => ({ name: s.name, attackName: s.attack.name, ...settings(s.attack) }));

const apgd = (loss: string, nRestarts: number, eotIter = 1) => ({ kind: 'apgd', loss, nRestarts, eotIter, nIter: 100 });
const square = { kind: 'square', nQueries: 5000, pInit: 0.8, rescaleSchedule: false };

describe('AutoAttack versions', () => {
  it('standard: APGD-CE, APGD-T (9 targets), FAB-T (9 targets), Square (5000 queries, p_init 0.8), one restart each', () => {
    const aa = new AutoAttack({ eps: 8 / 255 });
    expect(aa.version).toBe('standard');
    expect(plan(aa)).toEqual([
      { name: 'apgd-ce', attackName: 'apgd-ce', ...apgd('ce', 1) },
      { name: 'apgd-t', attackName: 'apgd-t', ...apgd('dlr-targeted', 1), nTargetClasses: 9 },
      { name: 'fab-t', attackName: 'fab-t', kind: 'fab', targeted: true, nRestarts: 1, nIter: 100, nTargetClasses: 9 },
      { name: 'square', attackName: 'square', ...square },
    ]);
  });

  it('plus: APGD-CE and APGD-DLR with 5 restarts, FAB with 5 restarts, Square, APGD-T, FAB-T', () => {
    const aa = new AutoAttack({ eps: 8 / 255, version: 'plus' });
    expect(plan(aa)).toEqual([
      { name: 'apgd-ce', attackName: 'apgd-ce', ...apgd('ce', 5) },
      { name: 'apgd-dlr', attackName: 'apgd-dlr', ...apgd('dlr', 5) },
      { name: 'fab', attackName: 'fab', kind: 'fab', targeted: false, nRestarts: 5, nIter: 100 },
      { name: 'square', attackName: 'square', ...square },
      { name: 'apgd-t', attackName: 'apgd-t', ...apgd('dlr-targeted', 1), nTargetClasses: 9 },
      { name: 'fab-t', attackName: 'fab-t', kind: 'fab', targeted: true, nRestarts: 1, nIter: 100, nTargetClasses: 9 },
    ]);
  });

  it('rand: APGD-CE and APGD-DLR, one restart, gradients averaged over 20 draws', () => {
    const aa = new AutoAttack({ eps: 8 / 255, version: 'rand' });
    expect(plan(aa)).toEqual([
      { name: 'apgd-ce', attackName: 'apgd-ce', ...apgd('ce', 1, 20) },
      { name: 'apgd-dlr', attackName: 'apgd-dlr', ...apgd('dlr', 1, 20) },
    ]);
  });

  it("custom: the stages given, in the given order, at the reference constructor's settings", () => {
    const aa = new AutoAttack({ eps: 0.1, stages: ['square', 'fab', 'apgd-dlr', 'fab-t'] });
    expect(aa.version).toBe('custom');
    expect(plan(aa)).toEqual([
      { name: 'square', attackName: 'square', ...square },
      { name: 'fab', attackName: 'fab', kind: 'fab', targeted: false, nRestarts: 5, nIter: 100 },
      { name: 'apgd-dlr', attackName: 'apgd-dlr', ...apgd('dlr', 5) },
      { name: 'fab-t', attackName: 'fab-t', kind: 'fab', targeted: true, nRestarts: 1, nIter: 100, nTargetClasses: 9 },
    ]);
    expect(AUTOATTACK_VERSION_SETTINGS.custom.restarts).toBe(5);
  });

  it('takes restarts, p_init, budgets and targets as overrides', () => {
    const aa = new AutoAttack({ eps: 0.1, version: 'plus', nRestarts: 2, squarePInit: 0.3, squareQueries: 40, apgdIter: 7, fabIter: 6, nTargetClasses: 3 });
    const p = plan(aa);
    expect(p.map((s) => s.nRestarts)).toEqual([2, 2, 2, undefined, 1, 1]);
    expect(p.map((s) => s.nIter)).toEqual([7, 7, 6, undefined, 7, 6]);
    expect(p[3]).toMatchObject({ nQueries: 40, pInit: 0.3 });
    expect(p[4].nTargetClasses).toBe(3);
    expect(p[5].nTargetClasses).toBe(3);
  });

  it("takes some of a fixed version's stages at its settings; rejects others, unknown and repeated stages", () => {
    expect(() => new AutoAttack({ eps: 0.1, version: 'standard', stages: ['apgd-ce', 'fab'] })).toThrow(/stage 'fab' is not in the standard version.*use version 'custom'/);
    // Some of a version's own stages run at its settings: the standard APGD-CE has one restart.
    const part = new AutoAttack({ eps: 0.1, version: 'standard', stages: ['square', 'apgd-ce'] });
    expect(plan(part)).toEqual([
      { name: 'square', attackName: 'square', ...square },
      { name: 'apgd-ce', attackName: 'apgd-ce', ...apgd('ce', 1) },
    ]);
    expect(part.version).toBe('standard');
    expect(() => new AutoAttack({ eps: 0.1, stages: ['apgd-ce', 'bogus' as never] })).toThrow(/unknown stage 'bogus'/);
    expect(() => new AutoAttack({ eps: 0.1, version: 'bogus' as never })).toThrow(/unknown version 'bogus'/);
    expect(parseAutoAttackStages(' APGD-CE, apgd-dlr ,fab')).toEqual(['apgd-ce', 'apgd-dlr', 'fab']);
    expect(() => parseAutoAttackStages('apgd-ce,apgd-ce')).toThrow(/listed twice/);
    expect(() => parseAutoAttackStages('apgd-ce,pgd20')).toThrow(/unknown stage 'pgd20'/);
    expect(() => parseAutoAttackStages(' , ')).toThrow(/expected a comma-separated list/);
  });

  it('the evaluation registry builds each version by name, and the single stages', () => {
    for (const [name, version] of [['autoattack', 'standard'], ['autoattack-plus', 'plus'], ['autoattack-rand', 'rand'], ['autoattack-custom', 'custom']] as const) {
      expect(EVAL_ATTACK_NAMES).toContain(name);
      expect(autoAttackName(version)).toBe(name);
      const aa = createEvalAttack(name, { eps: 0.1 }) as AutoAttack;
      expect(aa).toBeInstanceOf(AutoAttack);
      expect(aa.version).toBe(version);
      expect(aa.stages).toEqual([...AUTOATTACK_VERSION_SETTINGS[version].stages]);
    }
    const custom = createEvalAttack('autoattack-custom', { eps: 0.1, aaStages: ['apgd-dlr', 'square'], restarts: 3, squarePInit: 0.5 }) as AutoAttack;
    expect(plan(custom)).toMatchObject([{ name: 'apgd-dlr', nRestarts: 3 }, { name: 'square', pInit: 0.5 }]);
    // A stage list is the custom version's only.
    expect((createEvalAttack('autoattack-plus', { eps: 0.1, aaStages: ['square'] }) as AutoAttack).stages).toHaveLength(6);
    expect(settings(createEvalAttack('apgd-dlr', { eps: 0.1, restarts: 4 }))).toMatchObject({ loss: 'dlr', nRestarts: 4 });
    expect(settings(createEvalAttack('fab', { eps: 0.1 }))).toMatchObject({ targeted: false, nRestarts: 1 });
    expect(settings(createEvalAttack('square', { eps: 0.1, squarePInit: 0.2 }))).toMatchObject({ pInit: 0.2 });
    // Prototype keys are not names.
    expect(() => createEvalAttack('constructor', { eps: 0.1 })).toThrow(/unknown evaluation attack/);
  });
});

/** A linear classifier on 2x2x1 images: logits = W x + b. */
function linear(w: number[][], b: number[]): Classifier {
  const wt = tf.tensor2d(w).transpose();
  const bt = tf.tensor1d(b);
  return (x) => tf.tidy(() => tf.add(tf.matMul(tf.reshape(x, [x.shape[0], -1]), wt), bt) as tf.Tensor2D);
}

const grey = (n: number, v = 0.5) => tf.fill([n, 2, 2, 1], v) as tf.Tensor4D;
const linfNorms = (a: tf.Tensor4D, b: tf.Tensor4D) => Array.from(tf.max(tf.abs(tf.sub(a, b)), [1, 2, 3]).dataSync());

describe('untargeted FAB', () => {
  // At x = 0.5: z = (1, 0.8, 0.5). Class 1 is the runner-up (gap 0.2, ||w0 - w1||_1 = 1: needs
  // 0.2 in L-inf) but class 2's boundary is closer (gap 0.5, ||w0 - w2||_1 = 4: 0.125).
  const model = linear(
    [
      [0, 0, 0, 0],
      [1, 0, 0, 0],
      [1, 1, 1, 1],
    ],
    [1, 0.3, -1.5],
  );

  it('crosses the boundary the linearisation puts closest, not the runner-up class', () => {
    const x = grey(2);
    const y = tf.tensor1d([0, 0], 'int32');
    const fab = new Fab({ eps: 1, targeted: false, nIter: 20, nRestarts: 1 });
    expect(fab.name).toBe('fab');
    const adv = fab.run(model, x, y);
    const pred = Array.from(tf.argMax(model(adv), 1).dataSync());
    expect(pred).toEqual([2, 2]);
    for (const d of linfNorms(adv, x)) {
      expect(d).toBeGreaterThanOrEqual(0.125 - 1e-4);
      expect(d).toBeLessThan(0.14);
    }
    // FAB-T with one target goes for the runner-up and needs the larger step.
    const t = new FabTargeted({ eps: 1, nIter: 20, nTargetClasses: 1 }).run(model, x, y);
    expect(Array.from(tf.argMax(model(t), 1).dataSync())).toEqual([1, 1]);
    for (const d of linfNorms(t, x)) expect(d).toBeGreaterThan(0.19);
  });

  it('counts only adversarials within eps', () => {
    const x = grey(2);
    const y = tf.tensor1d([0, 0], 'int32');
    const adv = new Fab({ eps: 0.1, targeted: false, nIter: 10 }).run(model, x, y);
    expect(Array.from(tf.argMax(model(adv), 1).dataSync())).toEqual([0, 0]);
    for (const d of linfNorms(adv, x)) expect(d).toBeLessThanOrEqual(0.1 + 1e-6);
  });
});

describe('APGD with EOT', () => {
  it('averages the gradient over eotIter passes per iteration', () => {
    let calls = 0;
    const base = linear([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], [0.5, 0, 0, 0]);
    const counting: Classifier = (x) => {
      calls++;
      return base(x);
    };
    // One example the model gets right, which a tiny eps cannot break: every iteration runs.
    const x = grey(1, 0.5);
    const y = tf.tensor1d([0], 'int32');
    const count = (eotIter: number) => {
      calls = 0;
      new Apgd({ eps: 0.01, nIter: 4, eotIter }).run(counting, x, y).dispose();
      return calls;
    };
    // Gradients at the start and after each of the 4 iterations: 5 passes, eotIter each.
    expect(count(3) - count(1)).toBe(5 * 2);
    expect(() => new Apgd({ eps: 0.1, eotIter: 0 })).toThrow(/eotIter/);
  });
});

describe('AutoAttack end to end (tiny model, tiny budgets)', () => {
  // Ten classes, fixed pseudo-random weights.
  const w = Array.from({ length: 10 }, (_, k) => Array.from({ length: 4 }, (_, j) => Math.sin(7 * k + 3 * j + 1) * 2));
  const model = linear(w, Array.from({ length: 10 }, (_, k) => Math.cos(k)));

  function labelled(n: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
    const x = tf.tensor4d(Array.from({ length: n * 4 }, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1).map(Math.abs), [n, 2, 2, 1]);
    const y = tf.argMax(model(x), 1) as tf.Tensor1D;
    return { x, y: tf.cast(y, 'int32') as tf.Tensor1D };
  }

  it('runs each version in order, with a monotone breakdown inside the ball, and prints it as the reference does', () => {
    const { x, y } = labelled(8);
    for (const version of ['standard', 'plus', 'rand'] as const) {
      const aa = new AutoAttack({ eps: 0.05, version, apgdIter: 3, fabIter: 3, squareQueries: 5, nTargetClasses: 2, eotIter: 2, rng: 1 });
      const before = tf.memory().numTensors;
      const adv = aa.run(model, x, y);
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(Math.max(...linfNorms(adv, x))).toBeLessThanOrEqual(0.05 + 1e-6);
      const b = aa.lastBreakdown!;
      expect(b.clean).toBe(1);
      expect(b.stages.map((s) => s.name)).toEqual([...AUTOATTACK_VERSION_SETTINGS[version].stages]);
      let prev = b.clean;
      for (const s of b.stages) {
        expect(s.robustAccuracy).toBeLessThanOrEqual(prev);
        prev = s.robustAccuracy;
      }
      const acc = tf.mean(tf.cast(tf.equal(tf.argMax(model(adv), 1), y), 'float32')).dataSync()[0];
      expect(prev).toBeCloseTo(acc, 6);
      const log = autoAttackLog({ version, initialAccuracy: b.clean, stages: b.stages });
      expect(log[0]).toBe(`using ${version} version including ${b.stages.map((s) => s.name).join(', ')}`);
      expect(log[1]).toBe('initial accuracy: 100.00%');
      expect(log.slice(2, -1).map((l) => l.replace(/time [\d.]+ s/, 'time T s'))).toEqual(
        b.stages.map((s) => `robust accuracy after ${s.name.toUpperCase()}: ${(s.robustAccuracy * 100).toFixed(2)}% (total time T s)`),
      );
      expect(log.at(-1)).toBe(`robust accuracy: ${(prev * 100).toFixed(2)}%`);
      adv.dispose();
    }
  });

  it("prints the time since the first stage began, as the reference's total time", () => {
    const lines = autoAttackLog({
      initialAccuracy: 0.9,
      stages: [
        { name: 'apgd-ce', robustAccuracy: 0.73, seconds: 22.2 },
        { name: 'apgd-t', robustAccuracy: 0.725, seconds: 129.7 },
      ],
    });
    expect(lines).toEqual([
      'initial accuracy: 90.00%',
      'robust accuracy after APGD-CE: 73.00% (total time 22.2 s)',
      'robust accuracy after APGD-T: 72.50% (total time 151.9 s)',
      'robust accuracy: 72.50%',
    ]);
  });
});

const predicted = (m: Classifier, v: tf.Tensor4D) => tf.cast(tf.argMax(m(v), 1), 'int32') as tf.Tensor1D;

describe("AutoAttack's model checks", () => {
  const w10 = Array.from({ length: 10 }, (_, k) => Array.from({ length: 4 }, (_, j) => Math.sin(5 * k + j)));
  const honest = linear(w10, new Array(10).fill(0));
  const x = tf.tensor4d(Array.from({ length: 8 * 4 }, (_, i) => 0.1 + 0.8 * Math.abs(Math.sin(i))), [8, 2, 2, 1]);
  const y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
  const checks = (m: Classifier, opts = {}) => modelChecks(m, x, y, { stages: ['apgd-ce', 'apgd-t', 'fab-t', 'square'], ...opts }).map((f) => f.check);

  it('is quiet on an honest deterministic logit model', () => {
    const before = tf.memory().numTensors;
    expect(checks(honest)).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('flags probabilities instead of logits', () => {
    expect(checks((v) => tf.softmax(honest(v)))).toEqual(['probabilities']);
  });

  it('flags zero gradients and says for how many inputs', () => {
    // Flat below 0.5: the three inputs whose pixels are all below it have no gradient at all.
    const gated: Classifier = (v) => honest(tf.relu(tf.sub(v, 0.5)));
    const xz = tf.tensor4d([...new Array(12).fill(0.2), ...Array.from({ length: 20 }, (_, i) => 0.6 + 0.3 * Math.abs(Math.sin(i)))], [8, 2, 2, 1]);
    const f = modelChecks(gated, xz, predicted(gated, xz));
    expect(f.map((e) => e.check)).toEqual(['zero-gradients']);
    expect(f[0].message).toContain('3 of 8 correctly classified inputs (37.5%)');
    const rounded: Classifier = (v) => honest(tf.round(v));
    expect(modelChecks(rounded, x, predicted(rounded, x)).map((e) => e.check)).toEqual(['zero-gradients']);
    // Misclassified inputs are not attacked, so their gradients do not count.
    const wrong = tf.tensor1d(Array.from(predicted(gated, xz).dataSync(), (c, i) => (i < 3 ? (c + 1) % 10 : c)), 'int32');
    expect(modelChecks(gated, xz, wrong)).toEqual([]);
  });

  it('flags a randomised model, except for the rand version', () => {
    const noisy: Classifier = (v) => tf.add(honest(v), tf.randomNormal([v.shape[0], 10], 0, 0.1));
    expect(checks(noisy)).toEqual(['randomized']);
    expect(checks(noisy, { version: 'rand' })).toEqual([]);
  });

  it('counts zero gradients on a randomised model only where its gradient pass classifies correctly', () => {
    // Noise that often reorders the classes between passes: an input right in the first pass
    // can rank its class third in the gradient's pass, where DLR is flat (exactly 1). That is no
    // zero gradient the attacks would meet, so it must not be reported.
    const veryNoisy: Classifier = (v) => tf.add(honest(v), tf.randomNormal([v.shape[0], 10], 0, 0.5));
    for (let trial = 0; trial < 40; trial++) expect(checks(veryNoisy, { version: 'rand' })).toEqual([]);
  });

  it("flags a model whose output on an example depends on the rest of the batch", () => {
    const batchNorm: Classifier = (v) => honest(tf.sub(v, tf.mean(v, 0, true)));
    expect(checks(batchNorm)).toEqual(['dynamic']);
  });

  it('flags too few classes for the DLR losses and the targets asked for', () => {
    const three = linear([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1]], [0, 0, 0]);
    const y3 = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32');
    const f = modelChecks(three, x, y3, { stages: ['apgd-ce', 'apgd-dlr', 'apgd-t', 'fab-t'] });
    expect(f.map((e) => e.check)).toEqual(['n-classes']);
    expect(f[0].message).toMatch(/APGD-T's targeted DLR loss needs at least 4 classes.*APGD-T asks for 9 target classes, only 2.*FAB-T asks for 9/);
    expect(modelChecks(three, x, y3, { stages: ['apgd-ce', 'apgd-dlr'] })).toEqual([]);
    expect(checks(honest, { nTargetClasses: 10 })).toEqual(['n-classes']);
  });
});

describe("AutoAttack's Square check", () => {
  const withStages = (stages: [string, number][]): EvalResult => ({
    n: 1000,
    accuracies: [
      { name: 'natural', accuracy: 0.9, correct: 900, total: 1000, seconds: 1, imagesPerSecond: 1 },
      {
        name: 'autoattack',
        accuracy: stages.at(-1)![1],
        correct: 0,
        total: 1000,
        seconds: 1,
        imagesPerSecond: 1,
        stages: stages.map(([name, robustAccuracy]) => ({ name, robustAccuracy, seconds: 1 })),
      },
    ],
  });

  it('warns when Square lowers accuracy by more than 0.2% after the white-box stages', () => {
    const f = sanityCheck(withStages([['apgd-ce', 0.5], ['apgd-t', 0.49], ['fab-t', 0.49], ['square', 0.485]]));
    expect(f.map((e) => e.check)).toEqual(['square']);
    expect(f[0].message).toContain('Square lowered robust accuracy by 0.50%');
  });

  it('stays quiet at 0.2% or less, and when Square runs first', () => {
    expect(sanityCheck(withStages([['apgd-ce', 0.5], ['apgd-t', 0.49], ['fab-t', 0.49], ['square', 0.489]]))).toEqual([]);
    expect(sanityCheck(withStages([['square', 0.3], ['apgd-ce', 0.3]]))).toEqual([]);
  });
});
