/** What every training method does around its loss: variable lists, one update, read-back. */
import * as tf from '@tensorflow/tfjs';
import { asClassifier } from '../models/adapters.js';
import type { Attack, Batch, StepLosses, TrainState } from '../types.js';

/** The trainable variables of a model (what its optimiser may step), never empty. */
export function trainableVariables(model: tf.LayersModel, who: string): tf.Variable[] {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (vars.length === 0) throw new Error(`${who}: model ${model.name} has no trainable weights`);
  return vars;
}

/**
 * Minimises `loss` over exactly `vars` with `optimizer` (through `applyGradients`, where the
 * trainer's optimisers apply weight decay). Returns the loss value; the caller disposes it.
 */
export function updateVariables(optimizer: tf.Optimizer, vars: tf.Variable[], loss: () => tf.Scalar): tf.Scalar {
  const { value, grads } = tf.variableGrads(loss, vars);
  optimizer.applyGradients(grads);
  tf.dispose(Object.values(grads));
  return value;
}

/** Reads named scalar losses back with one download, then disposes them. */
export function readLosses(terms: Record<string, tf.Scalar | number>): StepLosses {
  const names = Object.keys(terms);
  const tensorNames = names.filter((n) => typeof terms[n] !== 'number');
  const tensors = tensorNames.map((n) => terms[n] as tf.Scalar);
  const values = tensors.length > 0 ? tf.tidy(() => tf.stack(tensors).dataSync()) : new Float32Array(0);
  tf.dispose(tensors);
  const out: StepLosses = {};
  for (const n of names) {
    const t = terms[n];
    out[n] = typeof t === 'number' ? t : values[tensorNames.indexOf(n)];
  }
  return out;
}

/** Throws unless the batch is NHWC float32 images with matching int32 labels. */
export function checkBatch(who: string, x: tf.Tensor, y: tf.Tensor): void {
  if (x?.rank !== 4 || x.dtype !== 'float32') {
    throw new Error(`${who}: batch.x must be float32 NHWC images, got ${x ? `[${x.shape}] ${x.dtype}` : String(x)}`);
  }
  if (y?.rank !== 1 || y.dtype !== 'int32' || y.shape[0] !== x.shape[0]) {
    throw new Error(`${who}: batch.y must be int32 labels [${x.shape[0]}], got ${y ? `[${y.shape}] ${y.dtype}` : String(y)}`);
  }
}

/**
 * Checks the batch, runs `attack` on it against f (in training mode when `attackTraining`, as the
 * method's reference scripts do) and hands `x_adv` to `use`, disposing it afterwards.
 */
export function withAdversarial<T>(
  who: string,
  state: TrainState,
  batch: Batch,
  attack: Attack,
  attackTraining: boolean,
  use: (xAdv: tf.Tensor4D) => T,
): T {
  checkBatch(who, batch.x, batch.y);
  const xAdv = attack.run(asClassifier(state.f, attackTraining), batch.x, batch.y);
  try {
    return use(xAdv);
  } finally {
    xAdv.dispose();
  }
}
