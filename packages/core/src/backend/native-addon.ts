/**
 * Loading the Rust addon (@cat/native). It is optional: everything else in @cat/core works
 * without it, so it is loaded lazily and a missing build is reported with how to build it.
 */
import { createRequire } from 'node:module';
import type { NativeAddon } from '@cat/native';

export type { NativeAddon } from '@cat/native';

const require = createRequire(import.meta.url);

let cached: NativeAddon | undefined;
let loadError: Error | undefined;

/**
 * The native addon, loaded on first use.
 * @throws Error with code `CAT_NATIVE_MISSING` (and build instructions) when it is not built,
 *   or the loader's own error when the file exists but cannot be loaded.
 */
export function loadNativeAddon(): NativeAddon {
  if (cached) return cached;
  if (loadError) throw loadError;
  try {
    cached = checkAddon(require('@cat/native') as NativeAddon);
    return cached;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'CAT_NATIVE_MISSING' || e.code === 'CAT_NATIVE_STALE') {
      loadError = e;
    } else {
      loadError = new Error(
        `The cat native addon failed to load: ${e.message}. Rebuild it with ` +
          '`pnpm --filter @cat/native build`, or use --backend cpu.',
      );
      (loadError as NodeJS.ErrnoException).code = 'CAT_NATIVE_BROKEN';
    }
    throw loadError;
  }
}

/**
 * Every function of the addon that @cat/core calls. A build from an older checkout lacks the
 * newer ones, and may ignore arguments that newer code passes (e.g. conv2dBackpropInput's
 * `reluOf`), giving wrong results: such a build is refused.
 */
export const REQUIRED_ADDON_FUNCTIONS = [
  'info', 'conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter', 'matmul', 'binary', 'unary', 'reduce',
  'reduceMiddleAxes', 'moments', 'softmax', 'logSoftmax', 'logSoftmaxGrad', 'klDiv', 'klDivGrad',
  'softmaxCrossEntropy', 'softmaxCrossEntropyGrad', 'signStepProject', 'calibrate', 'calibrateGrad',
  'batchNorm', 'batchNormGrad', 'resizeNearest', 'resizeNearestGrad', 'slice', 'pad', 'tile', 'reluGrad',
  'freeArray',
] as const;

/**
 * `addon` itself when it has every function in {@link REQUIRED_ADDON_FUNCTIONS}.
 * @throws Error with code `CAT_NATIVE_STALE` naming the missing ones and how to rebuild.
 */
export function checkAddon(addon: NativeAddon): NativeAddon {
  const missing = REQUIRED_ADDON_FUNCTIONS.filter((name) => typeof (addon as unknown as Record<string, unknown>)[name] !== 'function');
  if (missing.length > 0) {
    const err = new Error(
      `The cat native addon is out of date: it lacks ${missing.join(', ')}. Rebuild it with ` +
        '`pnpm --filter @cat/native build`, or use --backend cpu.',
    );
    (err as NodeJS.ErrnoException).code = 'CAT_NATIVE_STALE';
    throw err;
  }
  return addon;
}

/** True when the native addon is built and loads. */
export function nativeAvailable(): boolean {
  try {
    loadNativeAddon();
    return true;
  } catch {
    return false;
  }
}
