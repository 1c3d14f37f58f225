/**
 * tfjs-layers' BatchNormalization with a lean training path: in training mode on channels-last
 * float32 input it normalises through {@link batchNormTraining} (one op whose gradient saves only
 * the input and the statistics), instead of tfjs's `moments` + `batchNorm` composite, which keeps
 * `x - mean` as one more full-size activation per layer until the gradient ends. Everything else
 * is tfjs's: the weights (names, order, initialisers), the config, inference mode, and the
 * moving-average update (`moving -= (moving - batch) * (1 - momentum)`, with the biased batch
 * variance), which is repeated here op for op. The class keeps tfjs's class name and is
 * registered under it, so saved models are unchanged and load with the lean path too.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormTraining } from '../ops/batch-norm-train.js';

type BatchNormArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
type TfjsBatchNorm = ReturnType<typeof tf.layers.batchNormalization>;

/** The fields of tfjs's layer this subclass reads (private in tfjs's typings). */
interface BatchNormInternals {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

/** tfjs-layers' BatchNormalization class (not exported by name). */
const TfjsBatchNormalization = tf.layers.batchNormalization({}).constructor as new (args?: BatchNormArgs) => TfjsBatchNorm;

/** `moving = moving - (moving - value) * (1 - momentum)`, tfjs-layers' update, op for op. */
function updateMovingAverage(variable: tf.LayerVariable, value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const orig = variable.read();
    variable.write(tf.sub(orig, tf.mul(tf.sub(orig, value), 1 - momentum)));
  });
}

/** tfjs-layers' `BatchNormalization` with the lean training path described above. */
export class LeanBatchNormalization extends TfjsBatchNormalization {
  /** tfjs's own class name: saved models stay plain tfjs BatchNormalization layers. */
  static className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as BatchNormInternals;
    const training = kwargs?.training == null ? false : Boolean(kwargs.training);
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const lean =
      training &&
      (!Array.isArray(inputs) || inputs.length === 1) &&
      input.rank >= 2 &&
      input.dtype === 'float32' &&
      (self.axis === -1 || self.axis === input.rank - 1) &&
      self.center &&
      self.scale;
    if (!lean) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTraining(
        input,
        self.gamma.read() as tf.Tensor1D,
        self.beta.read() as tf.Tensor1D,
        self.epsilon,
      );
      try {
        updateMovingAverage(self.movingMean, mean, self.momentum);
        updateMovingAverage(self.movingVariance, variance, self.momentum);
      } finally {
        mean.dispose();
        variance.dispose();
      }
      return y;
    });
  }
}
tf.serialization.registerClass(
  LeanBatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
);
