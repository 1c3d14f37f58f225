/**
 * Loading the Rust addon (@cat/native). It is optional: everything else in @cat/core works
 * without it, so it is loaded lazily and a missing build is reported with how to build it.
 */
import { createRequire } from 'node:module';
import type { NativeAddon } from '@cat/native';
import { ADDON_FUNCTIONS, OPS_MANIFEST_HASH } from './native-ops.js';

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
 * Every function of the addon (native/ops.manifest). A build from an older checkout lacks the
 * newer ones, and may ignore arguments that newer code passes or read op codes differently,
 * giving wrong results: such a build is refused.
 */
export const REQUIRED_ADDON_FUNCTIONS = ADDON_FUNCTIONS;

function staleError(what: string): Error {
  const err = new Error(`The cat native addon is out of date: ${what}. Rebuild it with \`pnpm --filter @cat/native build\`, or use --backend cpu.`);
  (err as NodeJS.ErrnoException).code = 'CAT_NATIVE_STALE';
  return err;
}

/**
 * `addon` itself when it has every function in {@link REQUIRED_ADDON_FUNCTIONS} and was built
 * from the same native/ops.manifest as this code (same function layouts and op codes).
 * @throws Error with code `CAT_NATIVE_STALE` naming what is wrong and how to rebuild.
 */
export function checkAddon(addon: NativeAddon): NativeAddon {
  const missing = REQUIRED_ADDON_FUNCTIONS.filter((name) => typeof (addon as unknown as Record<string, unknown>)[name] !== 'function');
  if (missing.length > 0) throw staleError(`it lacks ${missing.join(', ')}`);
  const built = (JSON.parse(addon.info()) as { manifest?: string }).manifest;
  if (built !== OPS_MANIFEST_HASH) {
    throw staleError(`it was built from another native/ops.manifest (${built ?? 'none'}, this code has ${OPS_MANIFEST_HASH})`);
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
