/**
 * The native op registry is whole: every kernel the native backend registers is tested by a
 * parity case (cases/), every addon function of native/ops.manifest is reached by one, the
 * files generated from the manifest are up to date and the loaded addon was built from it.
 */
import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from '@cat/core';
import { nativeKernels } from '../../packages/core/src/backend/kernels/index.js';
import { ADDON_FUNCTIONS, OPS_MANIFEST_HASH } from '../../packages/core/src/backend/native-ops.js';
import { staleFiles } from '../../tools/gen-native-ops.mjs';
import { parityCases } from './cases/index.js';

/**
 * Addon functions no kernel calls: build information, the output pool's release, and MPI's
 * collectives (tested under mpirun by packages/core/test/distributed/mpi.test.ts).
 */
const NOT_KERNELS = ['info', 'freeArray', ...ADDON_FUNCTIONS.filter((f) => f.startsWith('mpi'))];

describe('native op registry', () => {
  it('every kernel the native backend registers has a parity case', () => {
    const tested = new Set(parityCases.flatMap((c) => [c.kernel, ...(c.alsoKernels ?? [])]));
    expect(nativeKernels.map((k) => k.kernelName).filter((name) => !tested.has(name))).toEqual([]);
  });

  it('every addon function a kernel calls is reached by a parity case', () => {
    const reached = new Set(parityCases.flatMap((c) => c.addonCalls));
    expect(ADDON_FUNCTIONS.filter((f) => !reached.has(f) && !NOT_KERNELS.includes(f))).toEqual([]);
  });

  it('the files generated from native/ops.manifest are up to date (node tools/gen-native-ops.mjs)', () => {
    expect(staleFiles()).toEqual([]);
  });

  it('the addon was built from the same manifest', () => {
    expect(JSON.parse(loadNativeAddon().info()).manifest).toBe(OPS_MANIFEST_HASH);
  });
});
