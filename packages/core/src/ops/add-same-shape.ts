/**
 * The sum of same-shape tensors as one op whose gradient saves nothing. tfjs's `Add` gradient
 * saves both inputs (only to read their shapes, for broadcasting), which keeps a residual
 * block's branch output alive until the backward pass: one more full-size activation per block.
 * With equal shapes the gradient of every input is `dy` itself, so nothing needs saving (PyTorch's
 * add saves nothing either). Values are tfjs's: the forward is the same chain of `tf.add`.
 */
import * as tf from '@tensorflow/tfjs';
import { sameShapeFloat32 } from './kernel-dispatch.js';

const sumOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const inputs = args.slice(0, -1) as tf.Tensor[];
  let value = tf.add(inputs[0], inputs[1]);
  for (let i = 2; i < inputs.length; i++) value = tf.add(value, inputs[i]);
  // A clone per input: each gradient is its own tensor (sharing dy's data), so the caller can
  // dispose or accumulate one without touching another.
  return { value, gradFunc: (dy: tf.Tensor) => inputs.map(() => tf.clone(dy)) };
});

/** True when {@link addSameShape} takes `tensors`: two or more float32 tensors of one shape. */
export function isSameShapeSum(tensors: tf.Tensor[]): boolean {
  return tensors.length >= 2 && sameShapeFloat32(...tensors);
}

/** `a + b + ...` for two or more float32 tensors of one shape; see the file comment. */
export function addSameShape(tensors: tf.Tensor[]): tf.Tensor {
  if (!isSameShapeSum(tensors)) {
    throw new Error(
      `addSameShape: expected two or more float32 tensors of one shape, got ${tensors.map((t) => `[${t.shape}] ${t.dtype}`).join(', ')}`,
    );
  }
  return sumOp(...tensors);
}
