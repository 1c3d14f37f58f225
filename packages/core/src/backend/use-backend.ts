/** Choosing the tfjs backend every op runs on. */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { nativeAvailable } from './native-addon.js';
import { NATIVE_BACKEND, registerNativeBackend } from './native-backend.js';
import { registerWasmBackend } from './wasm.js';

/** The backends cat can run on, in order of preference. */
export const BACKEND_NAMES = ['native', 'cpu', 'wasm', 'tensorflow'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
const require = createRequire(import.meta.url);
const TFJS_NODE = '@tensorflow/tfjs-node';

function resolvable(specifier: string): boolean {
  try {
    require.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes `name` the active tfjs backend, registering it first where needed.
 * @throws Error when `name` is unknown, when the native addon is not built (the message says how
 *   to build it), or when `@tensorflow/tfjs-node` is not installed for `tensorflow`.
 */
export async function useBackend(name: BackendName): Promise<void> {
  switch (name) {
    case 'native':
      registerNativeBackend();
      break;
    case 'cpu':
      break;
    case 'wasm':
      await registerWasmBackend();
      break;
    case 'tensorflow':
      try {
        await import(TFJS_NODE);
      } catch (err) {
        throw new Error(
          `backend 'tensorflow' needs ${TFJS_NODE}, which is not installed or failed to load ` +
            `(${(err as Error).message}). Install it where libtensorflow can be downloaded, ` +
            "or use --backend native or cpu.",
        );
      }
      break;
    default:
      throw new Error(`unknown backend '${String(name)}': expected one of ${BACKEND_NAMES.join(', ')}`);
  }
  const backendId = name === 'native' ? NATIVE_BACKEND : name;
  if (!(await tf.setBackend(backendId))) {
    throw new Error(`backend '${name}' is registered but failed to initialise`);
  }
  await tf.ready();
}

/** The backends usable here, best first: native (when built), cpu, wasm, tensorflow (when installed). */
export function availableBackends(): BackendName[] {
  const out: BackendName[] = [];
  if (nativeAvailable()) out.push('native');
  out.push('cpu');
  if (resolvable('@tensorflow/tfjs-backend-wasm')) out.push('wasm');
  if (resolvable(TFJS_NODE)) out.push('tensorflow');
  return out;
}
