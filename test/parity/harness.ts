/**
 * Runs one parity case on the `cpu` backend and on `native` with identical inputs and compares.
 * A case also names the addon functions it must reach, so a kernel that silently fell back to
 * the cpu implementation fails the suite instead of passing it trivially.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, loadNativeAddon, registerNativeBackend } from '@cat/core';
import { nativeKernels } from '../../packages/core/src/backend/kernels/index.js';
import type { ParityCase, InputSpec } from './cases/types.js';

/** Deterministic input data for `spec` (uniform in [lo, hi], default [-1, 1]). */
export function makeInput(spec: InputSpec, seed: number): { shape: number[]; data: Float32Array } {
  const rng = new Rng(seed);
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const [lo, hi] = spec.range ?? [-1, 1];
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = lo + (hi - lo) * rng.next();
  return { shape: spec.shape, data };
}

/** Results of `c.run` on `backend`, as plain arrays with shapes. */
export async function runOn(backend: string, c: ParityCase): Promise<{ shape: number[]; data: Float32Array }[]> {
  await tf.setBackend(backend);
  const specs = Object.entries(c.inputs);
  return tf.tidy(() => {
    const tensors: Record<string, tf.Tensor> = {};
    specs.forEach(([name, spec], i) => {
      const { shape, data } = makeInput(spec, 1000 + i * 7919);
      tensors[name] = tf.tensor(data, shape, 'float32');
    });
    const out = c.run(tensors);
    return (Array.isArray(out) ? out : [out]).map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
  });
}

/** Counts calls of each addon function while `fn` runs (wrapping the loaded module's functions). */
export async function countAddonCalls<T>(fn: () => Promise<T>): Promise<{ result: T; calls: Record<string, number> }> {
  const addon = loadNativeAddon() as unknown as Record<string, (...a: unknown[]) => unknown>;
  const calls: Record<string, number> = {};
  const originals = { ...addon };
  for (const [name, f] of Object.entries(originals)) {
    if (typeof f !== 'function') continue;
    addon[name] = (...a: unknown[]) => {
      calls[name] = (calls[name] ?? 0) + 1;
      return f(...a);
    };
  }
  try {
    return { result: await fn(), calls };
  } finally {
    Object.assign(addon, originals);
  }
}

/**
 * Largest element-wise relative error, `|got - want| / max(|want|, rms(want))`: relative for
 * typical values, and measured against the tensor's scale for values near zero (where float32
 * summation order alone makes a pure relative error meaningless).
 */
export function maxRelativeError(got: Float32Array, want: Float32Array): number {
  if (got.length !== want.length) return Infinity;
  let sq = 0;
  for (const v of want) sq += v * v;
  const rms = Math.sqrt(sq / Math.max(1, want.length)) || 1;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), rms);
    if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : err;
  }
  return worst;
}

const kernelsRun = new Set<string>();
let recording = false;

/**
 * Names of the native backend's own kernels (not the cpu ones it copies) that run while `fn`
 * runs. The first call re-registers each native kernel behind a wrapper that notes its name; a
 * later `registerNativeBackend()` puts the plain kernels back (and stops the recording).
 */
export async function countNativeKernels<T>(fn: () => Promise<T>): Promise<{ result: T; kernels: Set<string> }> {
  if (!recording) {
    for (const k of nativeKernels) {
      const run = k.kernelFunc as tf.KernelFunc;
      tf.unregisterKernel(k.kernelName, k.backendName);
      tf.registerKernel({ ...k, kernelFunc: (args) => (kernelsRun.add(k.kernelName), run(args)) });
    }
    recording = true;
  }
  kernelsRun.clear();
  const result = await fn();
  return { result, kernels: new Set(kernelsRun) };
}

export async function setUpBackends(): Promise<void> {
  registerNativeBackend();
  await tf.setBackend('cpu');
}
