/** The classifiers' first layer: dataset normalisation with defaults for unnormalised data. */
import * as tf from '@tensorflow/tfjs';
import { Normalize } from './normalize-layer.js';

/**
 * Adds `Normalize` after `input`: mean defaults to 0 and std to 1 per channel (identity).
 * A single value is broadcast to all channels.
 */
export function normalizeInput(
  input: tf.SymbolicTensor,
  channels: number,
  who: string,
  mean?: number[],
  std?: number[],
): tf.SymbolicTensor {
  const m = mean ?? new Array<number>(channels).fill(0);
  const s = std ?? new Array<number>(channels).fill(1);
  for (const [name, v] of [['mean', m], ['std', s]] as const) {
    if (!Array.isArray(v) || (v.length !== channels && v.length !== 1)) {
      throw new Error(`${who}: ${name} must have ${channels} values (one per channel) or 1, got ${JSON.stringify(v)}`);
    }
  }
  const full = (v: number[]) => (v.length === 1 ? new Array<number>(channels).fill(v[0]) : v);
  return new Normalize({ name: 'normalize', mean: full(m), std: full(s) }).apply(input) as tf.SymbolicTensor;
}
