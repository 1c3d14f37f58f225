/**
 * One attack on one image for one run, with @cat/core's own FGSM, PGD and calibration (the code
 * the CLI trains and evaluates with), on whatever tfjs backend the page runs.
 */
import * as tf from '@tensorflow/tfjs';
import { calibrate, FGSM, PGD, type Attack, type Classifier } from '@cat/core/browser';

export interface AttackSettings {
  attack: 'pgd' | 'fgsm';
  eps: number;
  /** PGD only. */
  steps: number;
  /** PGD only: the step size. */
  alpha: number;
  /** PGD only: start in U(-eps, eps) (seeded) instead of at the image. */
  randomStart: boolean;
}

export interface Prediction {
  pred: number;
  probs: number[];
}

/** What an attack gave for one run: images as float arrays [H*W*C], predictions per input. */
export interface RunOutcome {
  run: string;
  natural: Prediction;
  adversarial: Prediction;
  /** Null for a run without a mask network (not CAT). */
  calibrated: Prediction | null;
  adversarialImage: Float32Array;
  delta: Float32Array;
  mask: Float32Array | null;
  calibratedImage: Float32Array | null;
  /** max |x_adv - x|. */
  linf: number;
  maskMean: number | null;
}

export function makeAttack(s: AttackSettings): Attack {
  if (s.attack === 'fgsm') return new FGSM({ eps: s.eps });
  return new PGD({ eps: s.eps, steps: s.steps, alpha: s.alpha, randomStart: s.randomStart, seed: 0 });
}

function predict(f: tf.LayersModel, x: tf.Tensor4D): Prediction {
  const probs = tf.tidy(() => tf.softmax(f.predict(x) as tf.Tensor2D)).dataSync();
  const p = Array.from(probs);
  return { pred: p.indexOf(Math.max(...p)), probs: p };
}

/** Attacks `image` ([H, W, C] in [0,1]) with label `label` on run `name`'s f (and g). */
export function attackOne(
  name: string,
  f: tf.LayersModel,
  g: tf.LayersModel | null,
  image: Float32Array,
  shape: [number, number, number],
  label: number,
  settings: AttackSettings,
): RunOutcome {
  const x = tf.tensor4d(image, [1, ...shape]);
  const y = tf.tensor1d([label], 'int32');
  const model: Classifier = (t) => f.predict(t) as tf.Tensor2D;
  const xAdv = makeAttack(settings).run(model, x, y);
  const delta = tf.sub(xAdv, x) as tf.Tensor4D;
  const mask = g ? (g.predict(xAdv) as tf.Tensor4D) : null;
  const xCal = mask ? calibrate(x, delta, mask) : null;
  try {
    return {
      run: name,
      natural: predict(f, x),
      adversarial: predict(f, xAdv),
      calibrated: xCal ? predict(f, xCal) : null,
      adversarialImage: xAdv.dataSync() as Float32Array,
      delta: delta.dataSync() as Float32Array,
      mask: mask ? (mask.dataSync() as Float32Array) : null,
      calibratedImage: xCal ? (xCal.dataSync() as Float32Array) : null,
      linf: tf.tidy(() => tf.max(tf.abs(delta)).dataSync()[0]),
      maskMean: mask ? tf.tidy(() => tf.mean(mask).dataSync()[0]) : null,
    };
  } finally {
    tf.dispose([x, y, xAdv, delta, ...(mask ? [mask] : []), ...(xCal ? [xCal] : [])]);
  }
}
