/**
 * Recycling of large kernel outputs. A CAT step allocates hundreds of MB of short-lived
 * activations and gradients; as fresh ArrayBuffers they cost page faults and, worse, V8's
 * external-memory pressure triggers a full GC every few dozen MB (measured: ~440 ms of GC
 * pauses in a ~3 s MNIST CAT step). Arrays the native kernels allocated are handed back here
 * when tfjs deletes their data and reused for the next output of the same size.
 *
 * Safety: an array is reused only when nothing else can still see it. It must have come from
 * {@link takeArray} (never a user's array), its tensor data must be deleted (refcount 0), and it
 * must never have escaped: `readSync`/`read` hand the backend's own array to the caller
 * (`dataSync()` returns it), and some cpu kernels return views of an input's buffer (a simple
 * Slice is a `subarray`); both call {@link markEscaped}, after which the array is left to the GC.
 */

import { totalmem } from 'node:os';

/** Below this many elements V8's own small-allocation path is as cheap: not pooled. */
export const POOL_MIN_ELEMENTS = 16384;

/**
 * Bytes the pool may hold idle (`CAT_NATIVE_POOL_MB`; default a third of the RAM, at most
 * 8 GiB); beyond it, arrays go to the GC. It must hold about one forward pass's activations to
 * serve the next one: at 256 MB a ResNet-18 CAT step (batch 32) still missed 70% of the time and
 * spent 1.3 s a step in GC; at 2 GB it missed 9%, spent 74 ms in GC and used 22% less CPU. At
 * batch 128, a cap of ~7.7 GB (a third of this machine's 23 GB) instead of 256 MB or 4 GB cut
 * the system time (page faults of fresh arrays) from 20 to 5 CPU-s a run and the peak RSS from
 * 9.4 to 5.9 GB: idle arrays replace garbage that would otherwise pile up until the next GC.
 */
const POOL_CAP_BYTES =
  process.env.CAT_NATIVE_POOL_MB !== undefined
    ? Math.max(0, Number(process.env.CAT_NATIVE_POOL_MB)) * 1024 * 1024
    : Math.min(8192 * 1024 * 1024, totalmem() / 3);

/** `CAT_NATIVE_POISON=1` fills every uninitialised output with NaN: tests catch partial writes. */
const POISON = process.env.CAT_NATIVE_POISON === '1';

/** Arrays handed out by takeArray that have not escaped (only these may come back). */
const recyclable = new WeakSet<Float32Array>();
/** Arrays currently idle in the pool (guards against releasing one twice). */
const idle = new WeakSet<Float32Array>();
const free = new Map<number, Float32Array[]>();
let idleBytes = 0;
/** Counters for profiling (tools/scratch/cat-step-profile.ts prints them). */
export const poolStats = { hits: 0, misses: 0, released: 0, escapedAtRelease: 0 };

/**
 * An uninitialised Float32Array of `size` elements (a reused one when the pool has that size).
 * Small sizes are fresh zero-filled arrays and are never pooled.
 */
export function takeArray(size: number): Float32Array {
  if (size < POOL_MIN_ELEMENTS) return new Float32Array(size);
  let out = free.get(size)?.pop();
  if (out) {
    poolStats.hits++;
    idle.delete(out);
    idleBytes -= out.byteLength;
  } else {
    poolStats.misses++;
    const buf = Buffer.allocUnsafeSlow(size * 4);
    out = new Float32Array(buf.buffer, buf.byteOffset, size);
  }
  recyclable.add(out);
  if (POISON) out.fill(NaN);
  return out;
}

/** The array may now be seen outside the backend's data store: never reuse it. */
export function markEscaped(values: unknown): void {
  if (values instanceof Float32Array) recyclable.delete(values);
}

/** Gives back `values` whose tensor data tfjs has just deleted (ignored unless reusable). */
export function releaseArray(values: unknown): void {
  if (values instanceof Float32Array && values.length >= POOL_MIN_ELEMENTS && !recyclable.has(values)) poolStats.escapedAtRelease++;
  if (!(values instanceof Float32Array) || !recyclable.has(values) || idle.has(values)) return;
  poolStats.released++;
  recyclable.delete(values);
  if (idleBytes + values.byteLength > POOL_CAP_BYTES) return;
  const list = free.get(values.length);
  if (list) list.push(values);
  else free.set(values.length, [values]);
  idle.add(values);
  idleBytes += values.byteLength;
}

/** Bytes idle in the pool (for tests and memory checks). */
export function pooledBytes(): number {
  return idleBytes;
}

/** Drops every idle array (the GC reclaims them). */
export function drainPool(): void {
  free.clear();
  idleBytes = 0;
}
