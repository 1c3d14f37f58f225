/** One kernel parity case: inputs to generate, the tfjs call to make, the addon calls it must reach. */
import type * as tf from '@tensorflow/tfjs';

export interface InputSpec {
  shape: number[];
  /** Uniform range of the random values; default [-1, 1]. */
  range?: [number, number];
}

export interface ParityCase {
  /** The tfjs kernel under test (e.g. 'Conv2D'); the case fails unless it runs on `native`. */
  kernel: string;
  /** Other native kernels the case runs and so tests too (e.g. a gradient kernel). */
  alsoKernels?: string[];
  /** What makes this case different (shape, stride, padding...). */
  name: string;
  inputs: Record<string, InputSpec>;
  /** The tfjs ops to run; the same on both backends. */
  run(inputs: Record<string, tf.Tensor>): tf.Tensor | tf.Tensor[];
  /** Addon functions that must be called at least once on `native` (proves no silent fallback). */
  addonCalls: string[];
  /** Relative tolerance; default 1e-4. */
  tolerance?: number;
}
