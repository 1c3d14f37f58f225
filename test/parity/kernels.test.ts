/** Every native kernel against tfjs's cpu backend, driven by the case registry in cases/. */
import { beforeAll, describe, expect, it } from 'vitest';
import { parityCases } from './cases/index.js';
import { countAddonCalls, countNativeKernels, maxRelativeError, runOn, setUpBackends } from './harness.js';

beforeAll(setUpBackends);

describe.each(parityCases.map((c) => [`${c.kernel}: ${c.name}`, c] as const))('%s', (_label, c) => {
  it('matches the cpu backend and runs natively', async () => {
    const want = await runOn('cpu', c);
    const { result: native, kernels } = await countNativeKernels(() => countAddonCalls(() => runOn('native', c)));
    const { result: got, calls } = native;
    for (const fn of c.addonCalls) expect(calls[fn] ?? 0, `addon.${fn} calls`).toBeGreaterThan(0);
    for (const k of [c.kernel, ...(c.alsoKernels ?? [])]) expect(kernels.has(k), `native kernel ${k} ran`).toBe(true);
    expect(got.length).toBe(want.length);
    got.forEach((g, i) => {
      expect(g.shape).toEqual(want[i].shape);
      expect(maxRelativeError(g.data, want[i].data)).toBeLessThanOrEqual(c.tolerance ?? 1e-4);
    });
  });
});
