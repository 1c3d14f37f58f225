/**
 * The helpers every attack shares (attacks/gradient.ts, attacks/projection.ts, the input and
 * random-stream checks of attacks/options.ts and check-inputs.ts), and that every registered
 * attack goes through them.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Apgd,
  AutoAttack,
  EVAL_ATTACK_NAMES,
  Fab,
  PGD,
  Rng,
  SquareAttack,
  asClassifier,
  createAttack,
  crossEntropyPerExample,
  inputGradient,
  projectToBall,
  signStepProject,
  stepInBall,
  type Attack,
} from '@cat/core';
import { randomBatch, tinyClassifier, TOY_SHAPE } from './tiny-models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SMALL = { apgdIter: 3, fabIter: 3, squareQueries: 5 };

describe('projection onto the eps ball', () => {
  const x = tf.tensor4d([0.05, 0.5, 0.95, 0.3], [1, 2, 2, 1]);
  const far = tf.tensor4d([-0.5, 0.9, 1.4, 0.31], [1, 2, 2, 1]);

  it('L-inf with the box is min(max(v, x - eps), x + eps) clipped to [0,1], as the fused op', () => {
    const got = projectToBall(far, x, 0.1).dataSync();
    const want = tf.tidy(() => tf.clipByValue(tf.minimum(tf.maximum(far, tf.sub(x, 0.1)), tf.add(x, 0.1)), 0, 1).dataSync());
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(Array.from(projectToBall(far, x, 0.1, { norm: 'Linf', clamp: false }).dataSync()).map((v) => +v.toFixed(6))).toEqual([-0.05, 0.6, 1.05, 0.31]);
  });

  it('the L-inf step is the fused signStepProject', () => {
    const g = tf.tensor4d([1, -2, 0, 3], [1, 2, 2, 1]);
    expect(Array.from(stepInBall(x, g, x, 0.07, 0.1).dataSync())).toEqual(Array.from(signStepProject(x, g, x, 0.07, 0.1).dataSync()));
  });

  it('names an unknown norm', () => {
    expect(() => projectToBall(far, x, 0.1, { norm: 'L7' as never })).toThrow(/unknown norm 'L7'/);
  });
});

describe('inputGradient', () => {
  it('returns the gradient of the summed loss, with the logits and loss of the same pass, all owned by the caller', () => {
    const model = tinyClassifier(TOY_SHAPE, 3, 3);
    const f = asClassifier(model);
    const { x, y } = randomBatch(new Rng(2), 4, TOY_SHAPE, 3);
    const loss = (z: tf.Tensor2D) => crossEntropyPerExample(z, y);
    const before = tf.memory().numTensors;
    const g = tf.tidy(() => inputGradient(f, x, loss));
    expect(tf.memory().numTensors).toBe(before + 3);
    const want = tf.grad((xi: tf.Tensor) => tf.sum(loss(f(xi as tf.Tensor4D))))(x);
    expect(Array.from(g.grad.dataSync())).toEqual(Array.from(want.dataSync()));
    expect(Array.from(g.logits.dataSync())).toEqual(Array.from(tf.tidy(() => f(x)).dataSync()));
    expect(g.loss.shape).toEqual([4]);
    tf.dispose([g.grad, g.logits, g.loss, want, x, y]);
    model.dispose();
  });
});

describe('every registered attack', () => {
  const model = () => asClassifier(tinyClassifier(TOY_SHAPE, 4, 1));

  it.each(EVAL_ATTACK_NAMES.map((n) => [n]))('%s checks its inputs as the others do', (name) => {
    const attack = createAttack(name, { eps: 0.1, ...SMALL });
    const f = model();
    expect(() => attack.run(f, tf.zeros([2, 6, 6]) as never, tf.tensor1d([0, 1], 'int32'))).toThrow(/rank 4/);
    expect(() => attack.run(f, tf.zeros([2, 6, 6, 1]), tf.tensor1d([0, 1], 'float32'))).toThrow(/int32/);
    expect(() => attack.run(f, tf.zeros([2, 6, 6, 1], 'int32') as tf.Tensor4D, tf.tensor1d([0, 1], 'int32'))).toThrow(/float32/);
    expect(() => attack.run(f, tf.zeros([2, 6, 6, 1]), tf.tensor1d([0, 1, 2], 'int32'))).toThrow(/labels \[N\]/);
  });
});

describe('random streams', () => {
  /** An Rng as a second copy of @cat/core would pass it: same methods, another class. */
  const foreign = (seed: number) => {
    const r = new Rng(seed);
    return { seed: () => r.seed(), next: () => r.next(), int: (n: number) => r.int(n) } as unknown as Rng;
  };
  const builders: [string, (rng: Rng | number) => Attack][] = [
    ['PGD', (rng) => new PGD({ eps: 0.1, alpha: 0.05, steps: 2, rng: rng as Rng })],
    ['APGD', (rng) => new Apgd({ eps: 0.1, nIter: 2, rng })],
    ['FAB', (rng) => new Fab({ eps: 0.1, nIter: 2, targeted: false, nRestarts: 2, rng })],
    ['Square', (rng) => new SquareAttack({ eps: 0.1, nQueries: 5, rng })],
    ['AutoAttack', (rng) => new AutoAttack({ eps: 0.1, apgdIter: 2, fabIter: 2, squareQueries: 5, rng })],
  ];

  it.each(builders)('%s takes an Rng by its methods (not instanceof), or a seed, and rejects anything else', (_, build) => {
    const m = tinyClassifier(TOY_SHAPE, 4, 2);
    const f = asClassifier(m);
    const { x, y } = randomBatch(new Rng(4), 3, TOY_SHAPE, 4);
    const run = (rng: Rng | number) => {
      const out = build(rng).run(f, x, y);
      const v = Array.from(out.dataSync());
      out.dispose();
      return v;
    };
    const own = run(new Rng(9));
    expect(run(foreign(9))).toEqual(own);
    expect(run(9)).toEqual(own);
    expect(() => build({ seed: 3 } as never)).toThrow(/rng must be an Rng/);
    tf.dispose([x, y]);
    m.dispose();
  });
});
