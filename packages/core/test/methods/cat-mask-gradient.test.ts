/**
 * The direction of CAT's mask update (SPEC step 4), term by term, on every backend built here.
 *
 * Why: a collapse of the MNIST mask to m ~ 0 was reported. An independent PyTorch reference
 * (tools/peer/cat_reference.py) collapses the same way, because early in training the CE term of
 * L_g pushes m down (the perturbation is adversarial) while the KL term, which pushes m up, is
 * still second order. These tests pin both directions and their sizes against hand-derived
 * gradients, on the cpu backend and on the native one when it is built, so a sign, detach,
 * sigmoid or kernel error in the mask path cannot pass for "the method's behaviour".
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { CatMethod, nativeAvailable, Rng, useBackend, type BackendName, type TrainState } from '@cat/core';
import { TOY_CLASSES, TOY_SHAPE } from '../attacks/tiny-models.js';
import { linearClassifier } from './fixtures.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

const N = 4;
const EPS = 0.1;
const LR = 0.05;

/** A mask net that outputs sigmoid(bias) everywhere: a zero 1x1 conv, bias 0, so m = 0.5. */
function halfMask(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: TOY_SHAPE,
        filters: 1,
        kernelSize: 1,
        activation: 'sigmoid',
        kernelInitializer: 'zeros',
        biasInitializer: 'zeros',
      }),
    ],
  });
}

/** The change of the mask net's bias after one SGD step of lr LR on L_g with weight `b`. */
function biasStep(b: number, x: tf.Tensor4D, xAdv: tf.Tensor4D, y: tf.Tensor1D): number {
  const state: TrainState = {
    f: linearClassifier(5),
    g: halfMask(),
    optF: tf.train.sgd(LR),
    optG: tf.train.sgd(LR),
    rng: new Rng(1),
    epoch: 0,
    epochs: 1,
  };
  const bias = () => state.g!.getWeights()[1].dataSync()[0];
  const before = bias();
  new CatMethod({ eps: EPS, alpha: EPS, steps: 1, a: 1, b }).updateMask(state, { x, y }, xAdv);
  const change = bias() - before;
  state.f.dispose();
  state.g!.dispose();
  return change;
}

/**
 * Hand-derived d/d(bias) of KL(p(x_adv) || p(x_c)) and of mean CE(f(x_c), y) at m = 0.5 for the
 * linear f (z = flat(x) W + c): per pixel, dm/dbias = m (1 - m) = 1/4 and dz_c/dm = delta W, so
 * dKL/dbias = 1/4 mean_n sum_i delta_ni (W (q_n - p_n))_i and dCE/dbias is the same with the
 * one-hot label in place of p_n, where q = softmax(z_c) and p = softmax(z_adv).
 */
function handGradients(x: tf.Tensor4D, delta: tf.Tensor4D, y: tf.Tensor1D): { kl: number; ce: number } {
  const f = linearClassifier(5);
  const [W, c] = f.getWeights();
  const out = tf.tidy(() => {
    const flat = (v: tf.Tensor) => tf.reshape(v, [N, -1]);
    const logits = (v: tf.Tensor) => tf.add(tf.matMul(flat(v), W), c);
    const q = tf.softmax(logits(tf.add(x, tf.mul(delta, 0.5))));
    const p = tf.softmax(logits(tf.add(x, delta)));
    const dz = (target: tf.Tensor) => tf.matMul(tf.sub(q, target), W, false, true); // [N, pixels]
    const perBias = (target: tf.Tensor) => tf.mul(tf.mean(tf.sum(tf.mul(flat(delta), dz(target)), 1)), 0.25).dataSync()[0];
    return { kl: perBias(p), ce: perBias(tf.oneHot(y, TOY_CLASSES)) };
  });
  f.dispose();
  return out;
}

const backends: BackendName[] = nativeAvailable() ? ['cpu', 'native'] : ['cpu'];

describe.each(backends)('the mask update of CAT on the %s backend', (backend) => {
  it('KL pulls the mask up, an adversarial CE pulls it down, by the hand-derived amounts', async () => {
    await useBackend(backend);
    // Pixels in [0.3, 0.7] and |delta| = 0.1: calibrate's clip stays inactive.
    const rng = new Rng(12);
    const x = tf.tensor4d(Float32Array.from({ length: N * 36 }, () => 0.3 + 0.4 * rng.next()), [N, ...TOY_SHAPE]);
    const y = tf.tensor1d([0, 1, 2, 0], 'int32');
    // delta = eps sign(grad_x CE(f(x), y)): CE is convex along x + m delta (f is linear) with a
    // positive slope at m = 0, so it grows on all of [0, 1]: the CE term always wants m smaller.
    const f = linearClassifier(5);
    const delta = tf.tidy(() => {
      const ce = (v: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(y, TOY_CLASSES), f.apply(v) as tf.Tensor) as tf.Scalar;
      return tf.mul(tf.sign(tf.grad(ce)(x)), EPS) as tf.Tensor4D;
    });
    f.dispose();
    const xAdv = tf.add(x, delta) as tf.Tensor4D;

    const want = handGradients(x, delta, y);
    expect(want.kl).toBeLessThan(0); // KL(p_adv || p_c) falls as m rises towards 1
    expect(want.ce).toBeGreaterThan(0);

    const klOnly = biasStep(0, x, xAdv, y);
    const b = 0.3;
    const both = biasStep(b, x, xAdv, y);
    // SGD is linear in the gradient: the two steps separate the terms exactly.
    expect(klOnly).toBeGreaterThan(0);
    expect(klOnly).toBeCloseTo(-LR * want.kl, 5);
    const ceStep = (both - klOnly) / b;
    expect(ceStep).toBeLessThan(0);
    expect(ceStep).toBeCloseTo(-LR * want.ce, 4);
    // Near m = 0.5 with a weak f the KL slope is far smaller than the CE slope: this is what
    // drives an untrained CAT's mask to 0 within its first few dozen steps even at b = 0.3.
    expect(Math.abs(want.kl)).toBeLessThan(b * want.ce);
    tf.dispose([x, y, delta, xAdv]);
  });
});
