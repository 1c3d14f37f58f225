/**
 * The `native` tfjs backend: tfjs's cpu backend (same data store, same typed arrays) with the hot
 * kernels replaced by the Rust addon's. Every kernel not overridden is the cpu one, so any tfjs
 * model, `tf.grad` and the optimisers run unchanged; gradients are looked up by kernel name, so
 * autodiff picks up the native backprop kernels by itself.
 */
import {
  type BackendValues,
  type DataId,
  engine,
  getKernel,
  getKernelsForBackend,
  registerBackend,
  type KernelFunc,
  registerKernel,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { nativeKernels } from './kernels/index.js';
import { loadNativeAddon } from './native-addon.js';
import { markEscaped, releaseArray, setFreeFunction } from './buffer-pool.js';
import { guardAliasedOutputs } from './alias-guard.js';

/** The backend's registered name (tfjs backend names may not contain `_`). */
export const NATIVE_BACKEND = 'native';

/**
 * tfjs's cpu backend with native kernels registered over it. The class adds the recycling of
 * large outputs (buffer-pool.ts): arrays return to the pool when their data is deleted, and
 * arrays handed out of the backend (`dataSync()` returns the stored array itself) never do.
 */
export class NativeBackend extends MathBackendCPU {
  constructor() {
    super();
    // The cpu backend's first write prints "install tfjs-node to speed things up"; this backend
    // is the fast path, so that advice would mislead.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  override readSync(dataId: DataId): BackendValues {
    markEscaped(this.data.get(dataId)?.values);
    return super.readSync(dataId);
  }

  override async read(dataId: DataId): Promise<BackendValues> {
    return this.readSync(dataId);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const deleted = super.disposeData(dataId, force);
    if (deleted && values !== undefined && !this.data.has(dataId)) releaseArray(values);
    return deleted;
  }
}

/**
 * Registers the `native` backend and its kernels (idempotent). Loads the addon first, so a
 * missing build fails here with instructions rather than inside tfjs.
 * @throws Error with code `CAT_NATIVE_MISSING` when the addon is not built.
 */
export function registerNativeBackend(): void {
  const addon = loadNativeAddon();
  setFreeFunction((a) => addon.freeArray(a));
  if (engine().registryFactory[NATIVE_BACKEND] === undefined) {
    // Priority 0: never chosen automatically; callers opt in with useBackend('native').
    registerBackend(NATIVE_BACKEND, () => new NativeBackend(), 0);
  }
  if (getKernel('Conv2D', 'cpu') === undefined) {
    throw new Error("native backend: tfjs's cpu kernels are not registered (import '@tensorflow/tfjs' first)");
  }
  if (getKernel('Add', NATIVE_BACKEND) === undefined) {
    // tfjs's copyRegisteredKernels, but each cpu kernel wrapped so outputs that alias an input's
    // memory keep that memory out of the buffer pool (alias-guard.ts).
    for (const k of getKernelsForBackend('cpu')) {
      registerKernel({ ...k, backendName: NATIVE_BACKEND, kernelFunc: guardAliasedOutputs(k.kernelFunc as KernelFunc) });
    }
  }
  for (const config of nativeKernels) {
    // registerKernel over an existing entry only warns and keeps the old one: replace explicitly.
    if (getKernel(config.kernelName, NATIVE_BACKEND)?.kernelFunc === config.kernelFunc) continue;
    if (getKernel(config.kernelName, NATIVE_BACKEND)) unregisterKernel(config.kernelName, NATIVE_BACKEND);
    registerKernel(config);
  }
}
