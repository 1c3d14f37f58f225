/**
 * Recycling of large kernel outputs. A CAT step allocates hundreds of MB of short-lived
 * activations and gradients; as fresh ArrayBuffers they cost page faults and, worse, V8's
 * external-memory pressure triggers a full GC every few dozen MB (measured: ~440 ms of GC
 * pauses in a ~3 s MNIST CAT step). Arrays the native kernels allocated are handed back here
 * when tfjs deletes their data and reused for the next output of the same size.
 *
 * Memory: an idle array is memory the process holds without using it, so the pool bounds the
 * sum of its arrays in use and idle (its footprint) by the most it ever had in use at once plus
 * {@link POOL_SLACK_BYTES}. When an output of a size it has no idle array for would break that
 * bound, the least recently idled arrays are freed first. Freed means freed now: the array's
 * ArrayBuffer is detached (the addon's `freeArray`), so its memory goes back at once instead of
 * waiting, with every other dead array, for a GC. In a training loop the same sizes come back
 * every step, so nearly every output is a reuse (a miss is mostly the first step or a new peak).
 * Measured on the PreAct ResNet-18 CAT step at batch 128 (peak RSS, 2026-11-25): this bound and
 * the immediate frees took it from 2,672 to 2,464 MiB against the plain idle cap that came
 * before (2,163 MiB with today's other savings). Without reuse (`CAT_NATIVE_POOL_MB=0`) the peak
 * is 1,903 MiB, but the step runs at 3.8 instead of 5.1 images/s, with 3.7 s of GC pauses
 * instead of 0.3: the pool is worth its ~260 MB.
 *
 * Safety: an array is reused or freed only when nothing else can still see it. It must have
 * come from {@link takeArray} (never a user's array), its tensor data must be deleted (refcount
 * 0), and it must never have escaped: `readSync`/`read` hand the backend's own array to the
 * caller (`dataSync()` returns it), and some cpu kernels return views of an input's buffer (a
 * simple Slice is a `subarray`); both call {@link markEscaped}, after which the array is left to
 * the GC.
 */

import { totalmem } from 'node:os';

/** Below this many elements V8's own small-allocation path is as cheap: not pooled. */
export const POOL_MIN_ELEMENTS = 16384;

/**
 * Bytes the pool may hold idle at most (`CAT_NATIVE_POOL_MB`; default a third of the RAM, at
 * most 8 GiB; 0 turns reuse off). The footprint bound above is what usually limits it.
 */
const POOL_CAP_BYTES =
  process.env.CAT_NATIVE_POOL_MB !== undefined
    ? Math.max(0, Number(process.env.CAT_NATIVE_POOL_MB)) * 1024 * 1024
    : Math.min(8192 * 1024 * 1024, totalmem() / 3);

/**
 * How far the footprint may exceed the peak in use: room for a few activations of a new size
 * without freeing (a ResNet-18 layer-1 activation at batch 128 is 32 MiB).
 */
export const POOL_SLACK_BYTES = 64 * 1024 * 1024;

/** `CAT_NATIVE_POISON=1` fills every uninitialised output with NaN: tests catch partial writes. */
const POISON = process.env.CAT_NATIVE_POISON === '1';

/** Arrays handed out by takeArray that have not escaped (only these may come back). */
const recyclable = new WeakSet<Float32Array>();
/** Idle arrays by size, and all idle arrays in the order they became idle (oldest first). */
const free = new Map<number, Float32Array[]>();
const idleOrder = new Set<Float32Array>();
let idleBytes = 0;
/** Bytes of recyclable arrays handed out and not back yet, and the most there ever were. */
let inUseBytes = 0;
let peakInUseBytes = 0;
/** Releases an array's memory now (set by the native backend: the addon's `freeArray`). */
let freeNow: ((a: Float32Array) => void) | undefined;

/** Counters of reuse, for profiling and tests. */
export const poolStats = { hits: 0, misses: 0, released: 0, escapedAtRelease: 0, freed: 0 };

/** Sets how an array's memory is released at once (the addon's `freeArray`). */
export function setFreeFunction(fn: (a: Float32Array) => void): void {
  freeNow = fn;
}

/** Releases `a`'s memory now if a free function is set; otherwise the GC will. */
function release(a: Float32Array): void {
  poolStats.freed++;
  try {
    freeNow?.(a);
  } catch {
    // Not detachable (e.g. not the whole buffer): the GC reclaims it as before.
  }
}

function removeIdle(a: Float32Array): void {
  idleOrder.delete(a);
  idleBytes -= a.byteLength;
}

/** Frees least recently idled arrays until at most `bytes` stay idle. */
function shrinkIdleTo(bytes: number): void {
  for (const a of idleOrder) {
    if (idleBytes <= bytes) return;
    const list = free.get(a.length) as Float32Array[];
    list.splice(list.indexOf(a), 1);
    if (list.length === 0) free.delete(a.length);
    removeIdle(a);
    release(a);
  }
}

/**
 * An uninitialised Float32Array of `size` elements (a reused one when the pool has that size).
 * Small sizes are fresh zero-filled arrays and are never pooled.
 */
export function takeArray(size: number): Float32Array {
  if (size < POOL_MIN_ELEMENTS) return new Float32Array(size);
  const bytes = size * 4;
  let out = free.get(size)?.pop();
  if (out) {
    poolStats.hits++;
    removeIdle(out);
  } else {
    poolStats.misses++;
    // Keep in use + idle within the peak in use (counting this array) plus the slack.
    const limit = Math.max(peakInUseBytes, inUseBytes + bytes) + POOL_SLACK_BYTES;
    shrinkIdleTo(Math.max(0, limit - inUseBytes - bytes));
    const buf = Buffer.allocUnsafeSlow(bytes);
    out = new Float32Array(buf.buffer, buf.byteOffset, size);
  }
  inUseBytes += bytes;
  peakInUseBytes = Math.max(peakInUseBytes, inUseBytes);
  recyclable.add(out);
  if (POISON) out.fill(NaN);
  return out;
}

/** The array may now be seen outside the backend's data store: never reuse it. */
export function markEscaped(values: unknown): void {
  if (values instanceof Float32Array && recyclable.delete(values)) inUseBytes -= values.byteLength;
}

/** Gives back `values` whose tensor data tfjs has just deleted (ignored unless reusable). */
export function releaseArray(values: unknown): void {
  if (!(values instanceof Float32Array) || values.length < POOL_MIN_ELEMENTS) return;
  if (!recyclable.has(values)) {
    if (!idleOrder.has(values)) poolStats.escapedAtRelease++;
    return;
  }
  poolStats.released++;
  recyclable.delete(values);
  inUseBytes -= values.byteLength;
  if (idleBytes + values.byteLength > POOL_CAP_BYTES) {
    release(values);
    return;
  }
  const list = free.get(values.length);
  if (list) list.push(values);
  else free.set(values.length, [values]);
  idleOrder.add(values);
  idleBytes += values.byteLength;
}

/** Bytes idle in the pool (for tests and memory checks). */
export function pooledBytes(): number {
  return idleBytes;
}

/** Bytes of pooled-size outputs in use now, and the most at once so far. */
export function poolUsage(): { inUseBytes: number; peakInUseBytes: number; idleBytes: number } {
  return { inUseBytes, peakInUseBytes, idleBytes };
}

/** Frees every idle array now. */
export function drainPool(): void {
  shrinkIdleTo(0);
}
