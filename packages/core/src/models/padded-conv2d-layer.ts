/**
 * A 2-D convolution with PyTorch's symmetric zero padding given as a number, done inside the
 * conv kernel rather than by a separate padding layer.
 */
import * as tf from '@tensorflow/tfjs';
import type { Initializer } from './init.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type LayerVariable = tf.LayerVariable;

/** An initialiser as a live object or as its serialised `{ className, config }` form. */
export type InitializerSpec = Initializer | tf.serialization.ConfigDict;

/** Options of {@link PaddedConv2D}, named after `nn.Conv2d`'s arguments where they differ from Keras's. */
export interface PaddedConv2DArgs extends LayerArgs {
  filters: number;
  /** Square kernel size. */
  kernelSize: number;
  /** Same stride along height and width. Default 1. */
  strides?: number;
  /** Zero padding on every side, as PyTorch's `padding`. Default 0. */
  pad?: number;
  /** Default true, as `nn.Conv2d`. */
  useBias?: boolean;
  /** Default `glorotUniform` (tfjs's default); the layer factory passes PyTorch's. */
  kernelInitializer?: InitializerSpec;
  /** Default `zeros`. */
  biasInitializer?: InitializerSpec;
}

function checkInt(v: unknown, what: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new Error(`PaddedConv2D: ${what} must be an integer >= ${min}, got ${String(v)}`);
  }
  return v;
}

function toInitializer(spec: InitializerSpec | undefined, fallback: () => Initializer, what: string): Initializer {
  if (spec == null) return fallback();
  if (spec instanceof tf.serialization.Serializable) return spec as Initializer;
  const className = spec.className;
  const entry = typeof className === 'string' ? tf.serialization.SerializationMap.getMap().classNameMap[className] : undefined;
  if (entry === undefined) {
    throw new Error(`PaddedConv2D: ${what} ${JSON.stringify(spec)} is not a registered tfjs initialiser`);
  }
  const [cls, fromConfig] = entry;
  return fromConfig(cls, (spec.config ?? {}) as tf.serialization.ConfigDict) as Initializer;
}

const serialize = (init: Initializer): tf.serialization.ConfigDict => ({
  className: init.getClassName(),
  config: init.getConfig(),
});

/**
 * `nn.Conv2d(in, filters, kernelSize, strides, padding=pad, bias=useBias)` on NHWC tensors,
 * kernel `[kh, kw, in, filters]`. The padding goes to the conv kernel as tfjs's numeric `pad`
 * (symmetric, PyTorch's arithmetic: out = floor((in + 2 pad - k) / stride) + 1). A
 * `zeroPadding2d` layer before a 'valid' conv computes the same, but costs a PadV2 forward and
 * a Slice in every backward pass, which dominated attack steps; tfjs's own 'same' is
 * asymmetric for stride 2. Registered with `tf.serialization` as `CatPaddedConv2D`.
 */
export class PaddedConv2D extends tf.layers.Layer {
  /** The name under which tfjs serialises this layer. */
  static className = 'CatPaddedConv2D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly pad: number;
  readonly useBias: boolean;
  private readonly kernelInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  private kernel: LayerVariable | null = null;
  private bias: LayerVariable | null = null;

  constructor(args: PaddedConv2DArgs) {
    super(args);
    this.filters = checkInt(args.filters, 'filters', 1);
    this.kernelSize = checkInt(args.kernelSize, 'kernelSize', 1);
    this.strides = checkInt(args.strides ?? 1, 'strides', 1);
    this.pad = checkInt(args.pad ?? 0, 'pad', 0);
    if (args.useBias !== undefined && typeof args.useBias !== 'boolean') {
      throw new Error(`PaddedConv2D: useBias must be a boolean, got ${String(args.useBias)}`);
    }
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = toInitializer(args.kernelInitializer, () => tf.initializers.glorotUniform({}), 'kernelInitializer');
    this.biasInitializer = toInitializer(args.biasInitializer, () => tf.initializers.zeros(), 'biasInitializer');
    this.inputSpec = [{ ndim: 4 }];
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inChannels = shape[3];
    if (shape.length !== 4 || inChannels == null) {
      throw new Error(`PaddedConv2D ${this.name}: expected NHWC input with known channels, got shape ${JSON.stringify(shape)}`);
    }
    const k = this.kernelSize;
    this.kernel = this.addWeight('kernel', [k, k, inChannels, this.filters], 'float32', this.kernelInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', this.biasInitializer);
    this.inputSpec = [{ ndim: 4, axes: { [-1]: inChannels } }];
    super.build(inputShape);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const out = (d: number | null) => (d == null ? null : Math.floor((d + 2 * this.pad - this.kernelSize) / this.strides) + 1);
    return [s[0], out(s[1]), out(s[2]), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      if (this.kernel == null) throw new Error(`PaddedConv2D ${this.name}: called before build`);
      const filter = this.kernel.read() as tf.Tensor4D;
      const bias = this.bias?.read();
      if (tf.engine().state.gradientDepth > 0) {
        // Under a gradient tape, plain conv2d + add: their gradients are computed only for the
        // inputs on the path to what is differentiated, so an attack's input gradient skips
        // Conv2DBackpropFilter and a weight update skips the first layer's input gradient.
        // fused.conv2d's custom gradient always computes both.
        const y = tf.conv2d(x, filter, this.strides, this.pad);
        return bias ? tf.add(y, bias) : y;
      }
      return tf.fused.conv2d({ x, filter, strides: this.strides, pad: this.pad, bias });
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      pad: this.pad,
      useBias: this.useBias,
      kernelInitializer: serialize(this.kernelInitializer),
      biasInitializer: serialize(this.biasInitializer),
    };
  }
}

tf.serialization.registerClass(PaddedConv2D);
