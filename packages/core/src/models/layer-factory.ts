/**
 * Small helpers that add PyTorch-equivalent layers to a functional tfjs graph: seeded PyTorch
 * initialisation, PyTorch padding semantics and BatchNorm settings, and PyTorch-style layer
 * names (`layer1.0.conv1`) so weights can be compared with or ported from a PyTorch state dict.
 */
import * as tf from '@tensorflow/tfjs';
import { SeededInit } from './init.js';
import { PaddedConv2D } from './padded-conv2d-layer.js';
import { LeanBatchNormalization } from './batch-norm-layer.js';
import { LeanAdd } from './add-layer.js';

type Sym = tf.SymbolicTensor;

/** How a conv kernel is initialised: PyTorch's default, or TRADES's WideResNet override. */
export type ConvInit = 'torch' | 'kaiming-normal-fan-out';

/** Options of {@link LayerFactory.conv}, named after `nn.Conv2d`'s arguments. */
export interface ConvOptions {
  filters: number;
  kernel: number;
  stride?: number;
  /** Zero padding on every side, as PyTorch's `padding`. Default 0. */
  pad?: number;
  bias?: boolean;
  init?: ConvInit;
}

/** Builds layers for one model; every initialiser draws its seed from the model's seed. */
export class LayerFactory {
  private readonly init: SeededInit;

  constructor(seed: number) {
    this.init = new SeededInit(seed);
  }

  /**
   * `nn.Conv2d(in, filters, kernel, stride, padding=pad, bias)` as one {@link PaddedConv2D}: the
   * padding is the conv kernel's numeric `pad`, PyTorch's symmetric arithmetic (28 -> 14 -> 7
   * for the MNIST CNN's stride-2 convs), with no separate padding layer whose PadV2/Slice
   * kernels would run on every pass. Every conv uses it, including the stride-1 ones where
   * tfjs's 'same' would agree, so there is one code path (and the same kernels either way).
   */
  conv(x: Sym, name: string, o: ConvOptions): Sym {
    const useBias = o.bias ?? false;
    const inChannels = x.shape[x.shape.length - 1];
    if (inChannels == null) throw new Error(`conv ${name}: input channel count is unknown`);
    // Kernel seed first, then bias: the order fixes which seed each initialiser gets.
    const kernelInitializer =
      o.init === 'kaiming-normal-fan-out'
        ? this.init.kaimingNormalFanOut(o.kernel, o.filters)
        : this.init.torchWeight();
    const biasInitializer = useBias ? this.init.torchBias(inChannels * o.kernel * o.kernel) : undefined;
    return new PaddedConv2D({
      name,
      filters: o.filters,
      kernelSize: o.kernel,
      strides: o.stride ?? 1,
      pad: o.pad ?? 0,
      useBias,
      kernelInitializer,
      biasInitializer,
    }).apply(x) as Sym;
  }

  /**
   * `nn.BatchNorm2d`: PyTorch momentum 0.1 is Keras momentum 0.9, epsilon 1e-5, gamma 1, beta 0.
   * Deviation (tfjs's, kept): the running variance is updated with the biased batch variance,
   * PyTorch uses the unbiased one (a factor n/(n-1), n = batch x height x width, negligible).
   * The layer is {@link LeanBatchNormalization}: tfjs's, with a training path that keeps less
   * memory for the gradient.
   */
  bn(x: Sym, name: string): Sym {
    return new LeanBatchNormalization({
      name,
      axis: -1,
      momentum: 0.9,
      epsilon: 1e-5,
      gammaInitializer: 'ones',
      betaInitializer: 'zeros',
      movingMeanInitializer: 'zeros',
      movingVarianceInitializer: 'ones',
    }).apply(x) as Sym;
  }

  /**
   * `nn.Linear(in, units)` with PyTorch's default init; `zeroBias` for TRADES's WideResNet,
   * which zeroes the linear bias.
   */
  dense(x: Sym, name: string, units: number, zeroBias = false): Sym {
    const inFeatures = x.shape[x.shape.length - 1];
    if (inFeatures == null) throw new Error(`dense ${name}: input feature count is unknown`);
    return tf.layers
      .dense({
        name,
        units,
        kernelInitializer: this.init.torchWeight(),
        biasInitializer: zeroBias ? 'zeros' : this.init.torchBias(inFeatures),
      })
      .apply(x) as Sym;
  }

  relu(x: Sym, name: string): Sym {
    return tf.layers.reLU({ name }).apply(x) as Sym;
  }

  leakyRelu(x: Sym, name: string, alpha: number): Sym {
    return tf.layers.leakyReLU({ name, alpha }).apply(x) as Sym;
  }

  /** tfjs's `Add` as {@link LeanAdd} (a same-shape sum whose gradient keeps no inputs). */
  add(a: Sym, b: Sym, name: string): Sym {
    return new LeanAdd({ name }).apply([a, b]) as Sym;
  }
}
