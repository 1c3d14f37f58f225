/**
 * How an operand of an element-wise binary op maps onto the broadcast output, in the four
 * patterns the addon's `binary` handles (the `Broadcast` codes of native/ops.manifest): the same
 * shape, a scalar, a trailing block repeated (`[C]` on `[N, H, W, C]`), or one value per run
 * (`[R, 1]` on `[R, K]`).
 */
import { BROADCAST } from '../native-ops.js';

/** Addon broadcast mode and block size; `null` when the pattern is none of the four. */
export type BroadcastMode = [mode: number, block: number] | null;

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** The mode of an operand of shape `shape` within an output of shape `out`. */
export function broadcastMode(shape: number[], out: number[]): BroadcastMode {
  if (shape.length > out.length) return null;
  const size = prod(shape);
  const outSize = prod(out);
  if (size === 1) return [BROADCAST.Scalar.code, 1];
  const aligned = [...new Array<number>(out.length - shape.length).fill(1), ...shape];
  if (size === outSize && aligned.every((d, i) => d === out[i])) return [BROADCAST.Same.code, 0];
  // Inner: leading 1s, then exactly the output's trailing dims.
  const first = aligned.findIndex((d) => d !== 1);
  if (aligned.every((d, i) => (i < first ? d === 1 : d === out[i]))) return [BROADCAST.Inner.code, prod(out.slice(first))];
  // Outer: exactly the output's leading dims, then trailing 1s.
  let last = aligned.length - 1;
  while (aligned[last] === 1) last--;
  if (aligned.every((d, i) => (i <= last ? d === out[i] : d === 1))) return [BROADCAST.Outer.code, prod(out.slice(last + 1))];
  return null;
}
