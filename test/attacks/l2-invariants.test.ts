/**
 * The L2 threat model, registry-driven: every fixed name of an entry that lists 'L2' in its
 * `norms` gets the invariants in L2 (per-example ||x_adv - x||_2 <= eps, [0,1], shape and dtype
 * kept, x untouched, no leaked tensor, lower accuracy on a trained toy model); every other entry
 * refuses L2 with an error naming it, never running L-inf in its place.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ATTACK_REGISTRY,
  asClassifier,
  attackEntryOf,
  attackMinClasses,
  createAttack,
  evalL2Eps,
  l2NormPerExample,
  PGD,
  Rng,
  type Attack,
} from '@cat/core';
import { accuracy, randomBatch, tinyClassifier, TOY_CLASSES, toyBatch, trainedToyClassifiers } from '../../packages/core/test/attacks/tiny-models.js';

const supportsL2 = ATTACK_REGISTRY.filter((e) => e.norms?.includes('L2'));
const L2_NAMES = [...supportsL2.flatMap((e) => e.names), 'pgd5x2'];
// One fixed name per entry without L2 (evaluation-only entries without names are covered by PGD's).
const LINF_ONLY = ATTACK_REGISTRY.filter((e) => !e.norms?.includes('L2')).flatMap((e) => e.names.slice(0, 1));

/** Trained toy classifiers: the 3-class one, and wider ones for attacks needing more classes. */
const trained = trainedToyClassifiers(7);

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => trained.dispose());

/** Per-example L2 norms of `xAdv - x`, and the range of `xAdv`. */
function l2Stats(xAdv: tf.Tensor4D, x: tf.Tensor4D): { norms: number[]; range: number[] } {
  return tf.tidy(() => ({
    norms: Array.from(l2NormPerExample(tf.sub(xAdv, x) as tf.Tensor4D).dataSync()),
    range: [tf.min(xAdv).dataSync()[0], tf.max(xAdv).dataSync()[0]],
  }));
}

/**
 * On `cases` random models (2-4 classes) and batches (1-3 images of 3-6 pixels square, 1-2
 * channels) at eps in [0, 2): the attack `build` makes stays in the L2 ball and [0,1], keeps
 * shape and dtype, and leaves x as it was.
 */
function checkL2Bounds(build: (eps: number, seed: number) => Attack, cases: number, minClasses = 2): void {
  const draw = new Rng(42);
  for (let c = 0; c < cases; c++) {
    const [n, hw, ch, k, seed] = [1 + draw.int(3), 3 + draw.int(4), 1 + draw.int(2), minClasses + draw.int(3), draw.int(1_000_000)];
    const eps = 2 * draw.next();
    const model = tinyClassifier([hw, hw, ch], k, seed);
    const { x, y } = randomBatch(new Rng(seed), n, [hw, hw, ch], k);
    const xBefore = Array.from(x.dataSync());
    const xAdv = build(eps, seed).run(asClassifier(model), x, y);
    const { norms, range } = l2Stats(xAdv, x);
    expect([xAdv.shape, xAdv.dtype, x.isDisposed]).toEqual([x.shape, 'float32', false]);
    expect(Array.from(x.dataSync())).toEqual(xBefore);
    for (const v of norms) expect(v).toBeLessThanOrEqual(eps + 1e-5);
    expect(range[0]).toBeGreaterThanOrEqual(0);
    expect(range[1]).toBeLessThanOrEqual(1);
    tf.dispose([xAdv, x, y]);
    model.dispose();
  }
}

it('some registry entries support L2, and PGD is one', () => {
  expect(L2_NAMES).toContain('pgd20');
});

// Evaluation budgets small enough for property runs; the budget does not change the invariants.
const SMALL = { apgdIter: 5, fabIter: 5, squareQueries: 20, nTargetClasses: 2 };

describe.each(L2_NAMES.map((n) => [n]))('L2 attack %s', (name) => {
  const short = name.replace(/\d+/, (s) => String(Math.min(Number(s), 5)));
  const minClasses = attackMinClasses(name);

  it('keeps ||x_adv - x||_2 <= eps per example, x_adv in [0,1], shape and dtype, x untouched', () => {
    checkL2Bounds((eps, seed) => createAttack(short, { eps, seed, norm: 'L2', ...SMALL }), 8, minClasses);
    // The override says the same as the context (evaluation-only names take no overrides).
    if (!attackEntryOf(name).evalOnly) checkL2Bounds((eps, seed) => createAttack(`${short}:norm=l2`, { eps, seed }), 2);
  });

  it(`leaves no tensors behind, and lowers accuracy on a trained model (${Math.max(minClasses, TOY_CLASSES)} classes)`, () => {
    const classes = Math.max(minClasses, TOY_CLASSES);
    const f = asClassifier(trained.get(classes));
    const { x, y } = toyBatch(new Rng(99), 30, classes);
    // The L2 ball of radius 0.3 * 6 (the L-inf test's eps times sqrt(36)) holds the same corners.
    const attack = createAttack(name, { eps: 1.8, norm: 'L2', seed: 1, apgdIter: 20, fabIter: 20, squareQueries: 200 });
    const clean = accuracy(f, x, y);
    tf.dispose(attack.run(f, x, y)); // warm-up: kernels may cache tensors on first use
    const before = tf.memory().numTensors;
    const xAdv = attack.run(f, x, y);
    const robust = accuracy(f, xAdv, y);
    const { norms } = l2Stats(xAdv, x);
    xAdv.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.max(...norms)).toBeLessThanOrEqual(1.8 + 1e-5);
    expect(clean).toBeGreaterThan(0.9);
    expect(robust).toBeLessThan(clean);
    tf.dispose([x, y]);
  });
});

describe.each(LINF_ONLY.map((n) => [n]))('L-inf-only attack %s', (name) => {
  it('refuses L2 from the context or an override, naming itself and the L2 attacks', () => {
    expect(() => createAttack(name, { eps: 0.5, norm: 'L2' })).toThrow(new RegExp(`attack '${name}' has no L2 threat model \\(L2 attacks: pgd10`));
    if (!attackEntryOf(name).evalOnly) {
      expect(() => createAttack(`${name}:norm=l2`, { eps: 0.5 })).toThrow(/has no L2 threat model/);
    }
    // L-inf, said either way, still builds.
    expect(createAttack(name, { eps: 0.1, norm: 'Linf' }).name).toBe(createAttack(name, { eps: 0.1 }).name);
  });
});

describe('the norm option', () => {
  it("PGD's name, norm and budget: an L2 eps may pass 1, an L-inf one may not", () => {
    const a = createAttack('pgd20', { eps: 2, norm: 'L2' }) as PGD;
    expect([a.name, a.norm, a.eps]).toEqual(['PGD-20-L2', 'L2', 2]);
    expect((createAttack('pgd10x3', { eps: 0.5, norm: 'L2' }) as PGD).name).toBe('PGD-10-L2x3');
    expect((createAttack('pgd20:norm=linf', { eps: 0.1, norm: 'L2' }) as PGD).norm).toBe('Linf');
    expect(() => createAttack('pgd20', { eps: 2 })).toThrow(/eps must be a number in \[0, 1\]/);
    expect(() => createAttack('pgd20:norm=l3', { eps: 0.1 })).toThrow(/norm must be one of Linf, L2, got 'l3'/);
    expect(() => new PGD({ eps: 0.5, alpha: 0.1, steps: 1, norm: 'L1' as never })).toThrow(/norm must be one of/);
  });

  it("an L2 attack takes 2.5 eps / steps, not the dataset's L-inf step", () => {
    expect((createAttack('pgd20', { eps: 0.5, norm: 'L2', dataset: 'cifar10' }) as PGD).alpha).toBeCloseTo(0.0625, 10);
    expect((createAttack('pgd20', { eps: 8 / 255, dataset: 'cifar10' }) as PGD).alpha).toBe(0.003);
    expect((createAttack('pgd20:alpha=0.1', { eps: 0.5, norm: 'L2', dataset: 'cifar10' }) as PGD).alpha).toBe(0.1);
  });

  it("RobustBench's L2 budgets", () => {
    expect([evalL2Eps('cifar10'), evalL2Eps('cifar100'), evalL2Eps('mnist'), evalL2Eps('svhn')]).toEqual([0.5, 0.5, 2, undefined]);
  });

  it('L-inf PGD is unchanged by the option: the same iterates as without it', () => {
    const model = tinyClassifier([4, 4, 1], 3, 3);
    const { x, y } = randomBatch(new Rng(4), 3, [4, 4, 1], 3);
    const f = asClassifier(model);
    const a = createAttack('pgd5:randomStart=true', { eps: 0.1, seed: 2 }).run(f, x, y);
    const b = createAttack('pgd5:randomStart=true,norm=linf', { eps: 0.1, seed: 2 }).run(f, x, y);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b, x, y]);
    model.dispose();
  });
});
