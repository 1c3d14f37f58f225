/**
 * Model FLOPs of the conv path (convolutions and dense layers only), the way MFU-style accounting
 * counts them: a multiply-add is 2 FLOPs, element-wise work is ignored. Used to turn images/s into
 * achieved GFLOP/s against the machine's sgemm peak.
 */
import type * as tf from '@tensorflow/tfjs';

type Shape = (number | null)[];

function lastOutputShape(layer: tf.layers.Layer): Shape | undefined {
  const s = layer.outputShape as Shape | Shape[];
  if (!Array.isArray(s) || s.length === 0) return undefined;
  return Array.isArray(s[0]) ? (s as Shape[])[0] : (s as Shape);
}

/**
 * Forward FLOPs of one image through `model`'s conv and dense layers (nested models included).
 * A conv layer is recognised by a 4-D kernel `[kh, kw, cin, cout]` and a 4-D output; a dense one
 * by a 2-D kernel. Depthwise convolutions are not used by the CAT models and are not counted.
 */
export function forwardFlopsPerImage(model: tf.LayersModel): number {
  let total = 0;
  for (const layer of model.layers) {
    if ('layers' in layer && Array.isArray((layer as tf.LayersModel).layers)) {
      total += forwardFlopsPerImage(layer as tf.LayersModel);
      continue;
    }
    const kernel = layer.getWeights()[0];
    const out = lastOutputShape(layer);
    if (!kernel || !out) continue;
    const k = kernel.shape;
    if (k.length === 4 && out.length === 4) {
      const [kh, kw, cin, cout] = k;
      total += 2 * (out[1] ?? 0) * (out[2] ?? 0) * kh * kw * cin * cout;
    } else if (k.length === 2 && /dense/i.test(layer.getClassName())) {
      // Dense over a rank > 2 input applies the kernel at every position of the middle dims.
      const positions = out.slice(1, -1).reduce<number>((a, d) => a * (d ?? 1), 1);
      total += 2 * positions * k[0] * k[1];
    }
  }
  return total;
}

/**
 * FLOPs per image of a PGD attack of `steps` steps: each step is one forward and one
 * input-gradient backward pass (about as costly as the forward) through `f`.
 */
export function pgdFlopsPerImage(fFlops: number, steps: number): number {
  return 2 * steps * fFlops;
}

/**
 * FLOPs per image of one CAT step (SPEC.md steps 1-4) with a `steps`-step attack:
 * attack 2K·F; calibration forward of g: G; classifier update, forward on x and x_c with input
 * and weight gradients: 6F; mask update, forward of f on x+delta (no grad) and x+delta_c with
 * an input-gradient pass, forward and full backward of g: 3F + 3G. In all (2K + 9)·F + 4·G.
 * An approximation: the first layer's input gradient, which update steps can skip, is counted.
 */
export function catStepFlopsPerImage(fFlops: number, gFlops: number, steps: number): number {
  return (2 * steps + 9) * fFlops + 4 * gFlops;
}
