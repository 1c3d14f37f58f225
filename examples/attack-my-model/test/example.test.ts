// Runs the example app as a user would (a separate Node process importing @cat/core) and checks
// that its evaluation is sane: the model learned, and the attacks lower its accuracy in order.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('examples/attack-my-model', () => {
  it('trains its own model, attacks it, and reports accuracies that fall as attacks strengthen', () => {
    const out = execFileSync(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'examples/attack-my-model/main.mjs'],
      { cwd: root, env: { ...process.env, EXAMPLE_TRAIN: '1000', EXAMPLE_TEST: '200' }, encoding: 'utf8' },
    );
    const last = out.trim().split('\n').at(-1)!;
    const { accuracy } = JSON.parse(last) as { accuracy: Record<string, number> };
    expect(accuracy.Natural).toBeGreaterThan(0.8);
    expect(accuracy.FGSM).toBeLessThan(accuracy.Natural);
    expect(accuracy['PGD-20']).toBeLessThanOrEqual(accuracy.FGSM + 0.02);
    expect(out).toContain('| PGD-20 |');
  });
});
