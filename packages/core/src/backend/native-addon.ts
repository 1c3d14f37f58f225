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
    cached = require('@cat/native') as NativeAddon;
    return cached;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'CAT_NATIVE_MISSING') {
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

/** True when the native addon is built and loads. */
export function nativeAvailable(): boolean {
  try {
    loadNativeAddon();
    return true;
  } catch {
    return false;
  }
}
