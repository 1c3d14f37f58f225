/**
 * Dataset normalisation as a layer, so attacks see a model that takes images in [0,1] and the
 * mean/std travel with the saved model.
 */
import * as tf from '@tensorflow/tfjs';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** Options of {@link Normalize}: one mean and one std per channel (or one for all channels). */
export interface NormalizeArgs extends LayerArgs {
  mean: number[];
  std: number[];
}

/**
 * `(x - mean) / std` per channel on NHWC images. With mean 0 and std 1 (MNIST) it is the
 * identity. Registered with `tf.serialization` as `CatNormalize`, so a saved model loads again.
 */
export class Normalize extends tf.layers.Layer {
  /** The name under which tfjs serialises this layer. */
  static className = 'CatNormalize';
  readonly mean: number[];
  readonly std: number[];

  constructor(args: NormalizeArgs) {
    super(args);
    const { mean, std } = args;
    if (!Array.isArray(mean) || !Array.isArray(std) || mean.length === 0 || mean.length !== std.length) {
      throw new Error(
        `Normalize: mean and std must be non-empty arrays of equal length, got mean=${JSON.stringify(mean)} std=${JSON.stringify(std)}`,
      );
    }
    if (!mean.every(Number.isFinite) || !std.every((s) => Number.isFinite(s) && s > 0)) {
      throw new Error(
        `Normalize: mean must be finite and std finite and > 0, got mean=${JSON.stringify(mean)} std=${JSON.stringify(std)}`,
      );
    }
    this.mean = [...mean];
    this.std = [...std];
  }

  /** True when the layer leaves its input unchanged (mean 0, std 1). */
  get isIdentity(): boolean {
    return this.mean.every((m) => m === 0) && this.std.every((s) => s === 1);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (this.mean.length !== 1 && channels != null && channels !== this.mean.length) {
      throw new Error(
        `Normalize: input has ${channels} channels but mean/std have ${this.mean.length} values (expected ${channels} or 1)`,
      );
    }
    super.build(inputShape);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      // A fresh tensor, not `x` itself: the layers executor may dispose a layer's output.
      if (this.isIdentity) return tf.clone(x);
      return tf.div(tf.sub(x, tf.tensor1d(this.mean)), tf.tensor1d(this.std));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mean: [...this.mean], std: [...this.std] };
  }
}

tf.serialization.registerClass(Normalize);
