import * as tf from '@tensorflow/tfjs';

// One shared custom-gradient op: the identity forward, a zero gradient backward.
const identityWithoutGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const input = args[0] as tf.Tensor;
  return { value: tf.clone(input), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
});

/**
 * The identity in the forward pass with a zero gradient in the backward pass (tfjs has no
 * `stop_gradient`). Used for the optional detach switches of the CAT, TRADES and MART losses.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return identityWithoutGradient(x) as T;
}
