/**
 * Optimisers with state that survives a checkpoint: Adam, and SGD with momentum and
 * PyTorch-style (coupled) weight decay.
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedTensor } from '@cat/core';
import type { OptimizerKind } from './presets.js';

type Grads = tf.NamedTensorMap | NamedTensor[];

/**
 * SGD with momentum whose weight decay is added to the gradient inside `applyGradients`
 * (`g + wd * w`, as `torch.optim.SGD(weight_decay=...)`), so a method that calls `minimize` or
 * `applyGradients` gets the decay without knowing of it. Decay applies to every variable it is
 * given (biases and BatchNorm too), as in the authors' scripts.
 */
export class SgdWeightDecay extends tf.MomentumOptimizer {
  constructor(learningRate: number, momentum: number, readonly weightDecay: number) {
    super(learningRate, momentum);
  }

  override applyGradients(variableGradients: Grads): void {
    if (this.weightDecay === 0) return super.applyGradients(variableGradients as NamedTensor[]);
    const entries: NamedTensor[] = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] }));
    const decayed = entries.map(({ name, tensor }) => {
      const w = tf.engine().registeredVariables[name];
      if (w === undefined) throw new Error(`SgdWeightDecay: no variable named "${name}"`);
      return { name, tensor: tf.tidy(() => tf.add(tensor, tf.mul(w, this.weightDecay))) };
    });
    try {
      super.applyGradients(decayed);
    } finally {
      tf.dispose(decayed.map((d) => d.tensor));
    }
  }
}

/** Settings of one optimiser. */
export interface OptimizerSpec {
  kind: OptimizerKind;
  lr: number;
  momentum: number;
  weightDecay: number;
}

/** Build the optimiser a run's config asks for. */
export function createOptimizer(spec: OptimizerSpec): tf.Optimizer {
  if (spec.kind === 'adam') {
    if (spec.weightDecay !== 0) {
      throw new Error(`createOptimizer: weight decay is only implemented for sgd, got weightDecay ${spec.weightDecay} with adam`);
    }
    return new tf.AdamOptimizer(spec.lr, 0.9, 0.999, 1e-8);
  }
  if (spec.kind === 'sgd') return new SgdWeightDecay(spec.lr, spec.momentum, spec.weightDecay);
  throw new Error(`createOptimizer: unknown optimizer ${JSON.stringify((spec as { kind: unknown }).kind)}; expected adam or sgd`);
}

/** Change the learning rate of an optimiser built by {@link createOptimizer}. */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  // tfjs overrides `instanceof` for optimisers (any object with minimize() passes), so the
  // class name decides.
  const kind = opt.getClassName();
  if (kind === 'SGD' || kind === 'Momentum') {
    // MomentumOptimizer extends SGDOptimizer, whose update uses a cached scalar `-lr`.
    (opt as tf.SGDOptimizer).setLearningRate(lr);
  } else if (kind === 'Adam') {
    // Adam reads its `learningRate` field on every update.
    (opt as unknown as { learningRate: number }).learningRate = lr;
  } else {
    throw new Error(`setLearningRate: unsupported optimizer ${opt.getClassName()}`);
  }
}

/** Read back the current learning rate. */
export function getLearningRate(opt: tf.Optimizer): number {
  return (opt as unknown as { learningRate: number }).learningRate;
}

/** An optimiser's state as typed arrays and the extra scalars tfjs does not save itself. */
export interface OptimizerSnapshot {
  className: string;
  learningRate: number;
  /** Adam's running beta products: tfjs's setWeights recomputes them with pow(), which can
   * differ from the product of a run's multiplications in the last bit and break exact resume. */
  accBeta1?: number;
  accBeta2?: number;
  /** tfjs's optimiser weights (iteration count first), in order. */
  weights: NamedTensor[];
}

/** Take a snapshot; the tensors in `weights` are clones owned by the caller. */
export async function snapshotOptimizer(opt: tf.Optimizer): Promise<OptimizerSnapshot> {
  const weights = (await opt.getWeights()).map(({ name, tensor }) => ({ name, tensor: tf.clone(tensor) }));
  const snap: OptimizerSnapshot = { className: opt.getClassName(), learningRate: getLearningRate(opt), weights };
  if (opt.getClassName() === 'Adam') {
    const o = opt as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
    snap.accBeta1 = o.accBeta1.dataSync()[0];
    snap.accBeta2 = o.accBeta2.dataSync()[0];
  }
  return snap;
}

/**
 * Restore a snapshot into an optimiser of the same kind. The snapshot's tensors are copied, so
 * the caller still disposes them.
 */
export async function restoreOptimizer(opt: tf.Optimizer, snap: OptimizerSnapshot): Promise<void> {
  if (snap.className !== opt.getClassName()) {
    throw new Error(`restoreOptimizer: checkpoint holds ${snap.className} state, the run uses ${opt.getClassName()}`);
  }
  // tfjs indexes optimiser slots by position, not by name, so names need not match.
  const copies = snap.weights.map(({ name, tensor }) => ({ name, tensor: tf.clone(tensor) }));
  try {
    await opt.setWeights(copies);
  } finally {
    // setWeights wraps each tensor in a variable holding its own reference.
    tf.dispose(copies.map((c) => c.tensor));
  }
  setLearningRate(opt, snap.learningRate);
  if (opt.getClassName() === 'Adam' && snap.accBeta1 !== undefined && snap.accBeta2 !== undefined) {
    const o = opt as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
    o.accBeta1.assign(tf.scalar(snap.accBeta1));
    o.accBeta2.assign(tf.scalar(snap.accBeta2));
  }
}
