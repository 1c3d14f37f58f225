import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Runs the CLI from source in its own process, so stdout is exactly what a user sees. */
function cli(args: string[]) {
  const r = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'packages/cli/src/main.ts', ...args],
    { cwd: ROOT, encoding: 'utf8', timeout: 110_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cat-cli bench', () => {
  it('--json prints one JSON object of the documented shape', () => {
    const r = cli([
      'bench', '--json', '--suite', 'pgd20-mnist', '--iters', '1', '--backend', 'cpu',
      '--batch', '2', '--steps', '1', '--train-steps', '0', '--warmup', '0',
    ]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]);
    expect(Object.keys(report)).toContain('suites');
    expect(report.suites).toHaveLength(1);
    const s = report.suites[0];
    expect(s.name).toBe('pgd20-mnist');
    expect(s.backend).toBe('cpu');
    expect(s.batch).toBe(2);
    expect(s.pgdSteps).toBe(1);
    expect(s.iters).toBe(1);
    expect(s.reduced).toBe(true);
    expect(s.imagesPerSec).toBeGreaterThan(0);
    expect(Number.isFinite(s.imagesPerSec)).toBe(true);
    // images/s is batch x iters over the timed seconds
    expect(s.imagesPerSec).toBeCloseTo(2 / s.secondsPerIter[0], 6);
    // one PGD step on the MNIST CNN: forward + input gradient, 2 x 15,531,472 FLOPs
    expect(s.flopsPerImage).toBe(2 * 15_531_472);
    expect(s.tensorsLeakedPerIter).toBe(0);
    expect(s.note).toMatch(/reduced size/);
  });

  it('an unknown suite is a clear error with exit code 2', () => {
    const r = cli(['bench', '--json', '--suite', 'pgd99', '--backend', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/unknown bench suite 'pgd99' \(--suite\); expected one of: pgd20-mnist, cat-step-mnist, cat-step-resnet18, all/);
  });
});
