/**
 * Registry-driven: every fixed name of the attack registry (ATTACK_NAMES, then the evaluation-only
 * EVAL_ONLY_ATTACK_NAMES) gets these invariant tests, so a new attack is tested by registering it.
 */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ATTACK_NAMES,
  ATTACK_REGISTRY,
  EVAL_ATTACK_PATTERNS,
  EVAL_ONLY_ATTACK_NAMES,
  asClassifier,
  attackEntryOf,
  attackMinClasses,
  createAttack,
  Rng,
  type Attack,
} from '@cat/core';
import {
  accuracy,
  randomBatch,
  tinyClassifier,
  TOY_CLASSES,
  TOY_SHAPE,
  toyBatch,
  trainedToyClassifiers,
} from '../../packages/core/test/attacks/tiny-models.js';

/** Trained toy classifiers: the 3-class one, and wider ones for attacks needing more classes. */
const trained = trainedToyClassifiers(7);

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => trained.dispose());

/** max |a - b| and the range of `a`, read back at once. */
function stats(xAdv: tf.Tensor, x: tf.Tensor): { maxDelta: number; min: number; max: number } {
  const [maxDelta, min, max] = tf.tidy(() =>
    Array.from(tf.stack([tf.max(tf.abs(tf.sub(xAdv, x))), tf.min(xAdv), tf.max(xAdv)]).dataSync()),
  );
  return { maxDelta, min, max };
}

/**
 * Checks, on random inputs and random models with `classes` classes, that the attack `build`
 * makes keeps |x_adv - x| <= eps and x_adv in [0,1], keeps shape and dtype, and leaves x as it was.
 */
function checkBounds(build: (eps: number, seed: number) => Attack, classes: { min: number; max: number }, numRuns: number): void {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 3, max: 6 }),
      fc.integer({ min: 1, max: 2 }),
      fc.integer(classes),
      fc.double({ min: 0, max: 0.5, noNaN: true }),
      fc.integer({ min: 0, max: 1_000_000 }),
      (n, hw, c, k, eps, seed) => {
        const shape: [number, number, number] = [hw, hw, c];
        const model = tinyClassifier(shape, k, seed);
        const { x, y } = randomBatch(new Rng(seed), n, shape, k);
        const xBefore = x.dataSync().slice();
        const xAdv = build(eps, seed).run(asClassifier(model), x, y);
        try {
          expect(xAdv.shape).toEqual(x.shape);
          expect(xAdv.dtype).toBe('float32');
          const s = stats(xAdv, x);
          expect(s.maxDelta).toBeLessThanOrEqual(eps + 1e-6);
          expect(s.min).toBeGreaterThanOrEqual(0);
          expect(s.max).toBeLessThanOrEqual(1);
          expect(x.isDisposed).toBe(false);
          expect(Array.from(x.dataSync())).toEqual(Array.from(xBefore));
        } finally {
          tf.dispose([xAdv, x, y]);
          model.dispose();
        }
      },
    ),
    { numRuns, seed: 42 },
  );
}

describe.each(ATTACK_NAMES.map((n) => [n]))('attack %s', (name) => {
  it('keeps |x_adv - x| <= eps, x_adv in [0,1], shape and dtype, on random inputs and models', () => {
    // Few steps keep the property runs fast; the step count does not change the invariants.
    // No dataset: the step is 2.5 eps / steps, so iterates reach the edge of the eps ball.
    const short = name.replace(/\d+/, (s) => String(Math.min(Number(s), 5)));
    checkBounds((eps, seed) => createAttack(short, { eps, seed }), { min: 2, max: 4 }, 8);
  });

  it('runs at its full strength without leaking tensors, and lowers accuracy on a trained model', () => {
    const { x, y } = toyBatch(new Rng(99), 30);
    const f = asClassifier(trained.get(TOY_CLASSES));
    // A step of eps/4 lets even 10 steps cross the toy problem's margin.
    const attack = createAttack(name, { eps: 0.3, alpha: 0.075, seed: 1 });
    const clean = accuracy(f, x, y);
    tf.dispose(attack.run(f, x, y)); // warm-up: kernels may cache tensors on first use
    const before = tf.memory().numTensors;
    const xAdv = attack.run(f, x, y);
    const robust = accuracy(f, xAdv, y);
    xAdv.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(clean).toBeGreaterThan(0.9);
    expect(robust).toBeLessThan(clean);
    tf.dispose([x, y]);
  });
});

// Other attacks in SPEC but outside this registry (Square) belong to the evaluation suite.
it('the registry lists the spec evaluation attacks', () => {
  for (const n of ['fgsm', 'pgd20', 'pgd100', 'pgd10', 'cw']) expect(ATTACK_NAMES).toContain(n);
  expect(TOY_SHAPE).toEqual([6, 6, 1]);
});

describe.each([['pgd5'], ['cw5'], ['pgd5-kl']])('restarts of %s', (name) => {
  it('never raise accuracy over the first run from the same seed, on random models and inputs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.double({ min: 0.01, max: 0.3, noNaN: true }), (seed, eps) => {
        const model = tinyClassifier(TOY_SHAPE, 3, seed);
        const f = asClassifier(model);
        const { x, y } = randomBatch(new Rng(seed), 8, TOY_SHAPE, 3);
        const one = createAttack(`${name}:randomStart=true`, { eps, seed }).run(f, x, y);
        const three = createAttack(`${name}:randomStart=true,restarts=3`, { eps, seed }).run(f, x, y);
        try {
          expect(accuracy(f, three, y)).toBeLessThanOrEqual(accuracy(f, one, y));
        } finally {
          tf.dispose([one, three, x, y]);
          model.dispose();
        }
      }),
      { numRuns: 6, seed: 7 },
    );
  });
});

/** Small budgets for the evaluation-only attacks: the invariants do not depend on them. */
const SMALL_BUDGETS = { apgdIter: 4, fabIter: 4, squareQueries: 12 };

describe.each(EVAL_ONLY_ATTACK_NAMES.map((n) => [n]))('evaluation attack %s', (name) => {
  const minClasses = attackMinClasses(name);

  it('keeps |x_adv - x| <= eps, x_adv in [0,1], shape and dtype, on random inputs and models', () => {
    checkBounds((eps, seed) => createAttack(name, { eps, seed, ...SMALL_BUDGETS }), { min: minClasses, max: minClasses + 2 }, 4);
  });

  it('leaves no tensors behind, and lowers accuracy on a trained model', () => {
    // The trained toy problem with as many classes as the attack needs (3 at least).
    const classes = Math.max(minClasses, TOY_CLASSES);
    const f = asClassifier(trained.get(classes));
    const { x, y } = toyBatch(new Rng(99), 30, classes);
    const attack = createAttack(name, { eps: 0.3, seed: 1, apgdIter: 20, fabIter: 20, squareQueries: 200 });
    const clean = accuracy(f, x, y);
    tf.dispose(attack.run(f, x, y)); // warm-up: kernels may cache tensors on first use
    const before = tf.memory().numTensors;
    const xAdv = attack.run(f, x, y);
    const robust = accuracy(f, xAdv, y);
    const s = stats(xAdv, x);
    xAdv.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(s.maxDelta).toBeLessThanOrEqual(0.3 + 1e-6);
    expect(clean).toBeGreaterThan(0.9);
    expect(robust).toBeLessThan(clean);
    tf.dispose([x, y]);
  });
});

it('every fixed name of the registry resolves to the entry that lists it', () => {
  for (const entry of ATTACK_REGISTRY) {
    for (const name of entry.names) expect(attackEntryOf(name), name).toBe(entry);
  }
  const all = ATTACK_REGISTRY.flatMap((e) => e.names);
  expect(new Set(all).size).toBe(all.length);
  expect([...ATTACK_NAMES, ...EVAL_ONLY_ATTACK_NAMES].sort()).toEqual([...all].sort());
});

it('the attack names docs/FIDELITY.md gives are names the registry builds', () => {
  const doc = fs.readFileSync(new URL('../../docs/FIDELITY.md', import.meta.url), 'utf8');
  const paragraph = /\*\*Attack names\.\*\*[\s\S]*?\n\n/.exec(doc)?.[0] ?? '';
  const names = [...paragraph.matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter((n) => !/[ /]/.test(n) && !/^[A-Z_]+$/.test(n) && !n.startsWith(':'));
  expect(names.length).toBeGreaterThan(5);
  const unknown = names.filter((n) => !EVAL_ATTACK_PATTERNS.includes(n) && !isRegistryName(n));
  expect(unknown).toEqual([]);
});

function isRegistryName(name: string): boolean {
  try {
    createAttack(name, { eps: 0.1 });
    return true;
  } catch {
    return false;
  }
}
