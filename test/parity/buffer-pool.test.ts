/**
 * The native backend's reuse of large kernel outputs (buffer-pool.ts): a disposed output's array
 * comes back for the next output of that size, and an array that left the backend (dataSync) or
 * that a view still aliases (a cpu Slice's subarray) is never reused; idle arrays are freed (not
 * left to the GC) rather than let the pool grow past the most it ever had in use.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '@cat/core';
import { NativeBackend } from '../../packages/core/src/backend/native-backend.js';
import { drainPool, POOL_MIN_ELEMENTS, POOL_SLACK_BYTES, poolUsage } from '../../packages/core/src/backend/buffer-pool.js';

const N = POOL_MIN_ELEMENTS * 2;

/** The array the backend stores for `t` (read without marking it escaped). */
function stored(t: tf.Tensor): Float32Array {
  return (tf.backend() as NativeBackend).data.get(t.dataId)!.values as Float32Array;
}

beforeAll(async () => {
  await useBackend('native');
  drainPool();
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('native buffer pool', () => {
  it('reuses a disposed output array for the next output of the same size', () => {
    const x = tf.fill([N], -2);
    const a = tf.relu(x);
    const arrA = stored(a);
    a.dispose();
    const b = tf.abs(x);
    expect(stored(b)).toBe(arrA);
    // Stale contents never leak through: the kernel overwrote every element.
    expect(Array.from(b.dataSync().slice(0, 3))).toEqual([2, 2, 2]);
    expect(b.dataSync().every((v) => v === 2)).toBe(true);
    tf.dispose([x, b]);
  });

  it('never reuses an array handed out by dataSync', () => {
    const x = tf.fill([N], 3);
    const a = tf.relu(x);
    const seen = a.dataSync();
    a.dispose();
    const b = tf.neg(x);
    expect(stored(b)).not.toBe(seen);
    expect(seen.every((v) => v === 3)).toBe(true);
    tf.dispose([x, b]);
  });

  it('never reuses an array while a view of it lives', () => {
    const x = tf.fill([2, N / 2], 5);
    const a = tf.relu(x); // pooled array
    const arrA = stored(a);
    // Unpack is a cpu kernel whose rows are subarray views of its input's buffer.
    const [row0, row1] = tf.unstack(a);
    expect(stored(row0).buffer).toBe(arrA.buffer);
    a.dispose();
    const b = tf.neg(x);
    expect(stored(b)).not.toBe(arrA);
    expect(row1.dataSync().every((v) => v === 5)).toBe(true);
    tf.dispose([x, row0, row1, b]);
  });

  it('keeps the data of a reshaped output until its last reference goes', () => {
    const x = tf.fill([N], -1);
    const a = tf.abs(x);
    const arrA = stored(a);
    const r = tf.reshape(a, [2, N / 2]); // shares a's data id
    a.dispose();
    const b = tf.neg(x);
    expect(stored(b)).not.toBe(arrA);
    expect(r.dataSync().every((v) => v === 1)).toBe(true);
    tf.dispose([x, r, b]);
  });

  it('frees idle arrays at once rather than grow past its peak in use plus the slack', () => {
    drainPool();
    const big = 4 * 1024 * 1024; // 16 MiB a tensor
    const x = tf.fill([big], -1);
    const first = Array.from({ length: 8 }, () => tf.abs(x));
    const firstArrays = first.map(stored);
    tf.dispose(first);
    const { peakInUseBytes } = poolUsage();
    expect(poolUsage().idleBytes).toBe(8 * big * 4);
    // Outputs of another size cannot reuse those arrays: each one frees idle arrays, oldest first,
    // as far as needed to stay within the bound.
    const y = tf.fill([big + 1], -1);
    const second: tf.Tensor[] = [];
    for (let i = 0; i < 12; i++) {
      second.push(tf.abs(y));
      const u = poolUsage();
      expect(u.inUseBytes + u.idleBytes).toBeLessThanOrEqual(Math.max(peakInUseBytes, u.peakInUseBytes) + POOL_SLACK_BYTES);
    }
    // Freed means detached: the memory is gone now, not at the next GC.
    const freed = firstArrays.filter((a) => a.length === 0).length;
    expect(freed).toBeGreaterThanOrEqual(8 - POOL_SLACK_BYTES / (big * 4));
    expect(firstArrays.slice(0, freed).every((a) => a.length === 0)).toBe(true);
    expect(second.every((t) => t.dataSync()[big] === 1)).toBe(true);
    tf.dispose([x, y, ...second]);
  });
});
