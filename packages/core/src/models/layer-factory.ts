/**
 * Small helpers that add PyTorch-equivalent layers to a functional tfjs graph: seeded PyTorch
 * initialisation, PyTorch padding semantics and BatchNorm settings, and PyTorch-style layer
 * names (`layer1.0.conv1`) so weights can be compared with or ported from a PyTorch state dict.
 */
import * as tf from '@tensorflow/tfjs';
import { SeededInit } from './init.js';

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
   * `nn.Conv2d(in, filters, kernel, stride, padding=pad, bias)`. tfjs's 'same' padding is
   * asymmetric for stride 2 on even sizes (0 before, 1 after; PyTorch pads `pad` on both sides),
   * so only the stride-1 case with `pad = (kernel - 1) / 2` uses 'same'; every other padded
   * conv is an explicit `zeroPadding2d(pad)` followed by a 'valid' conv, which is PyTorch's
   * arithmetic exactly (28 -> 14 -> 7 for the MNIST CNN's stride-2 convs).
   */
  conv(x: Sym, name: string, o: ConvOptions): Sym {
    const stride = o.stride ?? 1;
    const pad = o.pad ?? 0;
    const useBias = o.bias ?? false;
    const inChannels = x.shape[x.shape.length - 1];
    if (inChannels == null) throw new Error(`conv ${name}: input channel count is unknown`);
    let padding: 'same' | 'valid' = 'valid';
    if (pad > 0 && stride === 1 && 2 * pad === o.kernel - 1) {
      padding = 'same';
    } else if (pad > 0) {
      x = tf.layers.zeroPadding2d({ padding: pad, name: `${name}.pad` }).apply(x) as Sym;
    }
    const kernelInitializer =
      o.init === 'kaiming-normal-fan-out'
        ? this.init.kaimingNormalFanOut(o.kernel, o.filters)
        : this.init.torchWeight();
    return tf.layers
      .conv2d({
        name,
        filters: o.filters,
        kernelSize: o.kernel,
        strides: stride,
        padding,
        useBias,
        kernelInitializer,
        biasInitializer: useBias ? this.init.torchBias(inChannels * o.kernel * o.kernel) : undefined,
      })
      .apply(x) as Sym;
  }

  /**
   * `nn.BatchNorm2d`: PyTorch momentum 0.1 is Keras momentum 0.9, epsilon 1e-5, gamma 1, beta 0.
   * Deviation (tfjs's, kept): the running variance is updated with the biased batch variance,
   * PyTorch uses the unbiased one (a factor n/(n-1), n = batch x height x width, negligible).
   */
  bn(x: Sym, name: string): Sym {
    return tf.layers
      .batchNormalization({
        name,
        axis: -1,
        momentum: 0.9,
        epsilon: 1e-5,
        gammaInitializer: 'ones',
        betaInitializer: 'zeros',
        movingMeanInitializer: 'zeros',
        movingVarianceInitializer: 'ones',
      })
      .apply(x) as Sym;
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

  add(a: Sym, b: Sym, name: string): Sym {
    return tf.layers.add({ name }).apply([a, b]) as Sym;
  }
}
