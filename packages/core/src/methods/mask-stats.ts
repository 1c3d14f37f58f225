/**
 * Mask health: how CAT's mask `m = g(x_adv)` is distributed, per step and per epoch, and the
 * collapse test. A collapsed mask (m ~ 0 everywhere) makes the calibrated example the natural
 * image, so CAT's KL term is 0 and the run silently trains a non-robust natural classifier.
 */
import * as tf from '@tensorflow/tfjs';

/** Mask values below this count as "off" (the perturbation is removed there). */
export const MASK_LOW = 0.01;
/** Mask values above this count as "on" (the full perturbation is kept). */
export const MASK_HIGH = 0.99;
/**
 * A mask has collapsed when more than this fraction of its values over an epoch lie below
 * {@link MASK_LOW}: the calibrated example is then the natural image for practical purposes.
 */
export const MASK_COLLAPSE_FRACTION = 0.99;
/** Single-channel images: pixels above this are stroke (the digit or garment). */
export const STROKE_ABOVE = 0.5;
/** Single-channel images: pixels below this are background. */
export const BACKGROUND_BELOW = 0.1;

/** Statistics of a mask (one step's or an epoch's mean of them). */
export interface MaskStats {
  /** Mean mask value. */
  mean: number;
  /** Fraction of mask values below {@link MASK_LOW}. */
  low: number;
  /** Fraction of mask values above {@link MASK_HIGH}. */
  high: number;
  /** Single-channel images only: mean mask on stroke pixels (x > {@link STROKE_ABOVE}). */
  stroke?: number;
  /** Single-channel images only: mean mask on background pixels (x < {@link BACKGROUND_BELOW}). */
  background?: number;
}

/**
 * The statistics of `mask` for the images `x` it was computed for (same shape), with one
 * read-back. Stroke and background means are given for single-channel images (MNIST-like data),
 * where dark background and bright strokes are well defined; undefined when a batch has none.
 */
export function maskStats(mask: tf.Tensor4D, x: tf.Tensor4D): MaskStats {
  const withRegions = x.shape[3] === 1;
  const values = tf.tidy(() => {
    const m = tf.cast(mask, 'float32');
    const parts: tf.Scalar[] = [
      tf.mean(m),
      tf.mean(tf.cast(tf.less(m, MASK_LOW), 'float32')),
      tf.mean(tf.cast(tf.greater(m, MASK_HIGH), 'float32')),
    ];
    if (withRegions) {
      const stroke = tf.cast(tf.greater(x, STROKE_ABOVE), 'float32');
      const background = tf.cast(tf.less(x, BACKGROUND_BELOW), 'float32');
      parts.push(tf.sum(tf.mul(m, stroke)), tf.sum(stroke), tf.sum(tf.mul(m, background)), tf.sum(background));
    }
    return tf.stack(parts).dataSync();
  });
  const stats: MaskStats = { mean: values[0], low: values[1], high: values[2] };
  if (withRegions) {
    if (values[4] > 0) stats.stroke = values[3] / values[4];
    if (values[6] > 0) stats.background = values[5] / values[6];
  }
  return stats;
}

/** The mean of per-step statistics (each field over the steps that have it); null for none. */
export function meanMaskStats(steps: readonly MaskStats[]): MaskStats | null {
  if (steps.length === 0) return null;
  const avg = (k: keyof MaskStats): number | undefined => {
    const vs = steps.map((s) => s[k]).filter((v): v is number => v !== undefined);
    return vs.length > 0 ? vs.reduce((a, b) => a + b, 0) / vs.length : undefined;
  };
  const out: MaskStats = { mean: avg('mean')!, low: avg('low')!, high: avg('high')! };
  const stroke = avg('stroke');
  const background = avg('background');
  if (stroke !== undefined) out.stroke = stroke;
  if (background !== undefined) out.background = background;
  return out;
}

/** True when the mask has collapsed to 0 (see {@link MASK_COLLAPSE_FRACTION}). */
export function isMaskCollapsed(stats: MaskStats): boolean {
  return stats.low > MASK_COLLAPSE_FRACTION;
}

/** A short human description, e.g. `mean 0.52, <0.01 3.0%, >0.99 0.0%, stroke 0.41, background 0.60`. */
export function describeMaskStats(s: MaskStats): string {
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  let text = `mean ${s.mean.toFixed(3)}, <${MASK_LOW} ${pct(s.low)}, >${MASK_HIGH} ${pct(s.high)}`;
  if (s.stroke !== undefined) text += `, stroke ${s.stroke.toFixed(3)}`;
  if (s.background !== undefined) text += `, background ${s.background.toFixed(3)}`;
  return text;
}
