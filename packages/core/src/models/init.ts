/**
 * PyTorch's default initialisation, rebuilt from tfjs initialisers and seeded from one number.
 *
 * The reference scripts are PyTorch, whose `nn.Conv2d` / `nn.Linear` draw weights from
 * kaiming-uniform with `a = sqrt(5)`: bound `gain * sqrt(3 / fanIn)` with `gain = sqrt(2 / (1 + 5))`,
 * i.e. `sqrt(1 / fanIn)`, which is tfjs's varianceScaling with scale 1/3, mode fanIn, uniform.
 * Biases are uniform in `±1 / sqrt(fanIn)`. BatchNorm starts at gamma 1, beta 0.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng.js';

/** A tfjs weight initialiser (the layers API does not export the class type). */
export type Initializer = ReturnType<typeof tf.initializers.randomUniform>;

/**
 * Hands out one tfjs seed per initialiser from a single model seed, so building the same
 * architecture with the same seed gives the same weights, and layers of equal shape differ.
 */
export class SeededInit {
  private readonly rng: Rng;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new Error(`model seed must be an integer, got ${seed}`);
    this.rng = new Rng(seed);
  }

  /** Kaiming-uniform (a = sqrt 5) for a conv kernel `[kh, kw, in, out]` or a dense `[in, out]`. */
  torchWeight(): Initializer {
    return tf.initializers.varianceScaling({
      scale: 1 / 3,
      mode: 'fanIn',
      distribution: 'uniform',
      seed: this.rng.seed(),
    });
  }

  /** PyTorch's bias default: uniform in `±1 / sqrt(fanIn)`. */
  torchBias(fanIn: number): Initializer {
    const bound = 1 / Math.sqrt(fanIn);
    return tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: this.rng.seed() });
  }

  /**
   * The TRADES WideResNet's explicit conv init: `normal(0, sqrt(2 / (kh * kw * out)))`
   * (kaiming-normal, fan-out, untruncated as PyTorch's `normal_`).
   */
  kaimingNormalFanOut(kernelSize: number, outChannels: number): Initializer {
    const stddev = Math.sqrt(2 / (kernelSize * kernelSize * outChannels));
    return tf.initializers.randomNormal({ mean: 0, stddev, seed: this.rng.seed() });
  }
}
