/**
 * tfjs-layers' `Add` merge layer, summing same-shape float32 inputs with {@link addSameShape}
 * (a gradient that saves no inputs) instead of tfjs's `Add` kernel chain (whose gradient keeps
 * both inputs alive until the backward pass). Any other case (broadcasting, other dtypes) is
 * tfjs's own code. The class keeps tfjs's class name and is registered under it, so saved models
 * are unchanged and load with the lean path too.
 */
import * as tf from '@tensorflow/tfjs';
import { addSameShape, isSameShapeSum } from '../ops/add-same-shape.js';

type TfjsAdd = ReturnType<typeof tf.layers.add>;
type AddArgs = NonNullable<Parameters<typeof tf.layers.add>[0]>;

/** tfjs-layers' Add class (not exported by name). */
const TfjsAddLayer = tf.layers.add({}).constructor as new (args?: AddArgs) => TfjsAdd;

/** tfjs-layers' `Add` with the lean same-shape path described above. */
export class LeanAdd extends TfjsAddLayer {
  /** tfjs's own class name: saved models stay plain tfjs Add layers. */
  static className = 'Add';

  protected override mergeFunction(inputs: tf.Tensor[]): tf.Tensor {
    return isSameShapeSum(inputs) ? addSameShape(inputs) : super.mergeFunction(inputs);
  }
}
tf.serialization.registerClass(LeanAdd as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
