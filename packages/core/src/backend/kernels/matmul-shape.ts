/** Shapes of tfjs's BatchMatMul (rank >= 2, broadcasting outer dims) as the addon's dims. */
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';

export interface NativeMatmulShape {
  /** `[batchA, batchB, m, n, k]` for the addon. */
  dims: [number, number, number, number, number];
  outShape: number[];
}

const product = (xs: number[]) => xs.reduce((p, v) => p * v, 1);

/**
 * The addon's dims for `op(a) x op(b)`, or null when the batch dimensions broadcast in a way the
 * addon does not handle (only equal batches or a single matrix on one side), a batch is empty, or
 * inner sizes clash.
 */
export function matmulShape(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): NativeMatmulShape | null {
  if (a.shape.length < 2 || b.shape.length < 2) return null;
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const m = transposeA ? ac : ar;
  const k = transposeA ? ar : ac;
  const kb = transposeB ? bc : br;
  const n = transposeB ? br : bc;
  if (k !== kb) return null;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = product(outerA);
  const batchB = product(outerB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  let outer: number[];
  try {
    outer = backend_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return null;
  }
  if (product(outer) !== Math.max(batchA, batchB)) return null;
  // An empty batch goes to the cpu kernel (the addon rejects batch 0).
  if (batchA === 0 || batchB === 0) return null;
  return { dims: [batchA, batchB, m, n, k], outShape: [...outer, m, n] };
}
