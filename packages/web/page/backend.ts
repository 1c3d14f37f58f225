/**
 * Picks the tfjs backend: webgl, else wasm (its binaries are served beside the page), else cpu.
 * `?backend=NAME` in the address asks for one; the page says which one runs and why.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmBackend } from '@cat/core/browser';

export const BACKEND_ORDER = ['webgl', 'wasm', 'cpu'] as const;
export type PageBackend = (typeof BACKEND_ORDER)[number];

export interface BackendChoice {
  name: PageBackend;
  /** The backends tried before it that failed, with why. */
  skipped: string[];
}

/** Tries `wanted` (or webgl, wasm, cpu in turn) and returns the first that initialises. */
export async function chooseBackend(wanted?: string | null): Promise<BackendChoice> {
  // The wasm binaries lie beside page.js, whatever the page's address.
  setWasmPaths(new URL('./', import.meta.url).href);
  const order: PageBackend[] = BACKEND_ORDER.includes(wanted as PageBackend)
    ? [wanted as PageBackend, ...BACKEND_ORDER.filter((b) => b !== wanted)]
    : [...BACKEND_ORDER];
  const skipped: string[] = [];
  for (const name of order) {
    try {
      // PGD's gradients need Conv2DBackpropFilter, which tfjs's wasm backend lacks: cat bridges it.
      if (name === 'wasm') await registerWasmBackend();
      if (await tf.setBackend(name)) {
        await tf.ready();
        // A tiny op proves the backend really runs (webgl can initialise and then fail to compile).
        tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync());
        return { name, skipped };
      }
      skipped.push(`${name} (did not initialise)`);
    } catch (err) {
      skipped.push(`${name} (${(err as Error)?.message ?? String(err)})`);
    }
  }
  throw new Error(`no tfjs backend works here: ${skipped.join('; ')}`);
}
