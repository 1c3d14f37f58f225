/**
 * The hand-written N-API layer: bad arguments throw JS errors (never crash the process),
 * outputs may not alias inputs, and a missing build explains how to build it.
 */
import { createRequire } from 'node:module';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAddon, loadNativeAddon, nativeAvailable, REQUIRED_ADDON_FUNCTIONS, type NativeAddon } from '@cat/core';

const require = createRequire(import.meta.url);
// 1x3x3x1 image, 2x2 filter, VALID, stride 1 -> 1x2x2x1.
const GEOMETRY = [1, 3, 3, 1, 2, 2, 1, 1, 1, 1, 1, 0, 0, 2, 2];

describe('native addon FFI', () => {
  const addon = loadNativeAddon();

  it('loads and reports its build', () => {
    expect(nativeAvailable()).toBe(true);
    const info = JSON.parse(addon.info());
    expect(info.device).toBe('cpu');
    expect(info.threads).toBeGreaterThan(0);
  });

  it('computes a hand-checked convolution', () => {
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const w = Float32Array.from([1, 0, 0, -1]); // x[i,j] - x[i+1,j+1] = -4 everywhere
    const out = new Float32Array(4).fill(99);
    addon.conv2d(x, w, null, out, GEOMETRY, 'linear', 0);
    expect(Array.from(out)).toEqual([-4, -4, -4, -4]);
    addon.conv2d(x, w, Float32Array.from([5]), out, GEOMETRY, 'relu', 0);
    expect(Array.from(out)).toEqual([1, 1, 1, 1]);
  });

  it('throws TypeError for wrong argument types', () => {
    const f = new Float32Array(9);
    const call = (...args: unknown[]) => () => (addon.conv2d as unknown as (...a: unknown[]) => void)(...args);
    expect(call(new Float64Array(9), f, null, new Float32Array(4), GEOMETRY, 'linear', 0)).toThrow(TypeError);
    expect(call([1, 2, 3], f, null, new Float32Array(4), GEOMETRY, 'linear', 0)).toThrow(/argument 1 \(x\) must be a Float32Array/);
    expect(call(f, new Float32Array(4), null, new Float32Array(4), GEOMETRY, 42, 0)).toThrow(/activation\) must be a string/);
    expect(call(f, new Float32Array(4), null, new Float32Array(4), 'geometry', 'linear', 0)).toThrow(TypeError);
    expect(call()).toThrow(/too few arguments/);
  });

  it('throws Error for bad shapes and values', () => {
    const x = new Float32Array(9);
    const w = new Float32Array(4);
    expect(() => addon.conv2d(x, new Float32Array(3), null, new Float32Array(4), GEOMETRY, 'linear', 0)).toThrow(
      /conv2d filter: expected 4 float32 values, got 3/,
    );
    expect(() => addon.conv2d(x, w, null, new Float32Array(4), GEOMETRY.slice(1), 'linear', 0)).toThrow(/array of 15/);
    expect(() => addon.conv2d(x, w, null, new Float32Array(4), [...GEOMETRY.slice(0, 14), -1], 'linear', 0)).toThrow(
      /non-negative integer/,
    );
    expect(() => addon.conv2d(x, w, null, new Float32Array(4), GEOMETRY, 'swish' as 'relu', 0)).toThrow(/got 'swish'/);
    expect(() => addon.matmul(x, w, null, new Float32Array(4), [2, 3, 1, 1, 1], false, false, 'linear', 0)).toThrow(
      /do not broadcast/,
    );
  });

  it('refuses an output that shares memory with an input', () => {
    const buf = new Float32Array(13);
    const x = buf.subarray(0, 9);
    const out = buf.subarray(9, 13);
    const w = new Float32Array(4);
    expect(() => addon.conv2d(x, w, null, buf.subarray(8, 12), GEOMETRY, 'linear', 0)).toThrow(/share memory/);
    expect(() => addon.conv2d(x, w, null, out, GEOMETRY, 'linear', 0)).not.toThrow();
  });

  it('freeArray releases a whole buffer now and refuses views', () => {
    const before = process.memoryUsage().arrayBuffers;
    const big = new Float32Array(16 * 1024 * 1024);
    big.fill(1);
    expect(process.memoryUsage().arrayBuffers - before).toBeGreaterThanOrEqual(64 * 1024 * 1024);
    addon.freeArray(big);
    // Detached: the array is empty and V8 no longer counts its 64 MiB (no GC ran in between).
    expect(big.length).toBe(0);
    expect(big.buffer.byteLength).toBe(0);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
    const whole = new Float32Array(8);
    expect(() => addon.freeArray(whole.subarray(2))).toThrow(/not the whole buffer/);
    expect(whole.length).toBe(8);
    expect(() => addon.freeArray([1, 2] as unknown as Float32Array)).toThrow(TypeError);
  });

  it('survives many failing calls (errors do not leak or corrupt state)', () => {
    for (let i = 0; i < 1000; i++) {
      expect(() => addon.conv2d(new Float32Array(1), new Float32Array(1), null, new Float32Array(1), GEOMETRY, 'linear', 0)).toThrow();
    }
    const out = new Float32Array(4);
    addon.conv2d(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), Float32Array.from([1, 0, 0, 0]), null, out, GEOMETRY, 'linear', 0);
    expect(Array.from(out)).toEqual([1, 2, 4, 5]);
  });

  it('has every function @cat/core calls, and a build that lacks one is refused by name', () => {
    expect(checkAddon(addon)).toBe(addon);
    for (const name of REQUIRED_ADDON_FUNCTIONS) expect(typeof (addon as unknown as Record<string, unknown>)[name]).toBe('function');
    const stale = { ...addon, moments: undefined, freeArray: undefined } as unknown as NativeAddon;
    let err: (Error & { code?: string }) | undefined;
    try {
      checkAddon(stale);
    } catch (e) {
      err = e as Error & { code?: string };
    }
    expect(err?.code).toBe('CAT_NATIVE_STALE');
    expect(err?.message).toMatch(/lacks moments, freeArray.*pnpm --filter @cat\/native build/);
  });

  it('the loader explains how to build a missing addon', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cat-native-missing-'));
    try {
      copyFileSync(require.resolve('@cat/native'), join(dir, 'index.js'));
      let err: (Error & { code?: string }) | undefined;
      try {
        require(join(dir, 'index.js'));
      } catch (e) {
        err = e as Error & { code?: string };
      }
      expect(err?.code).toBe('CAT_NATIVE_MISSING');
      expect(err?.message).toMatch(/pnpm --filter @cat\/native build/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
