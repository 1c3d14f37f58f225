/** Nearest-neighbour resize to a fixed size, the mask nets' way back to the image size. */
import * as tf from '@tensorflow/tfjs';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** Options of {@link ResizeNearest}: the output height and width. */
export interface ResizeNearestArgs extends LayerArgs {
  height: number;
  width: number;
}

/**
 * Resizes NHWC feature maps to `height x width` by nearest neighbour. tfjs's
 * `resizeNearestNeighbor` without corner alignment or half-pixel centres picks source index
 * `floor(dst * in / out)`, the same as PyTorch's `F.interpolate(mode='nearest')` used by the
 * reference mask nets. Unlike `upSampling2d` it also reaches sizes that are not an integer
 * multiple of the input (odd image sizes after a stride-2 conv). Registered as `CatResizeNearest`.
 */
export class ResizeNearest extends tf.layers.Layer {
  /** The name under which tfjs serialises this layer. */
  static className = 'CatResizeNearest';
  readonly height: number;
  readonly width: number;

  constructor(args: ResizeNearestArgs) {
    super(args);
    for (const [k, v] of [['height', args.height], ['width', args.width]] as const) {
      if (!Number.isInteger(v) || v < 1) {
        throw new Error(`ResizeNearest: ${k} must be a positive integer, got ${v}`);
      }
    }
    this.height = args.height;
    this.width = args.width;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0], this.height, this.width, s[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      return tf.image.resizeNearestNeighbor(x, [this.height, this.width], false, false);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), height: this.height, width: this.width };
  }
}

tf.serialization.registerClass(ResizeNearest);
