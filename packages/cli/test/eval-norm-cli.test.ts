/**
 * `cat-cli eval --norm`: the threat model of every attack that has it, end to end on a tiny run;
 * an attack without it is refused by name, and RobustBench's fields carry the norm.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli } from './cli-in-process.js';
import { tempDir, writeFakeRun } from './eval-fixture.js';

let run: string;

beforeAll(async () => {
  run = await writeFakeRun(path.join(tempDir('eval-norm'), 'seed1'), { seed: 1 });
});

describe('cat-cli eval --norm', () => {
  it('runs PGD in L2 with the dataset default budget, and writes the norm into eval.json and robustbench.json', async () => {
    const out = tempDir('eval-norm-out');
    const r = await cli(['eval', run, '--backend', 'cpu', '--limit', '2', '--batch', '2', '--attacks', 'pgd1', '--norm', 'l2', '--out', out]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'eval.json'), 'utf8'));
    expect(json.runs[0].eps).toBe(2); // RobustBench's MNIST L2 budget
    expect(json.runs[0].norm).toBe('L2');
    expect(json.runs[0].attacks.map((a: { name: string }) => a.name)).toEqual(['natural', 'pgd1']);
    const rb = JSON.parse(fs.readFileSync(path.join(out, 'robustbench.json'), 'utf8'));
    expect([rb.threat_model, rb.norm, rb.eps]).toEqual(['L2', 'L2', '2']);
    expect(r.stdout).toMatch(/L2 eps 2, 2 images/);
    expect(fs.readFileSync(path.join(out, 'eval.md'), 'utf8')).toMatch(/on 2 test images, L2 eps 2/);
  });

  it('runs AutoAttack in L2 (every stage of the standard version), with its breakdown and RobustBench fields', async () => {
    const out = tempDir('eval-norm-aa');
    const r = await cli([
      'eval', run, '--backend', 'cpu', '--limit', '2', '--batch', '2', '--attacks', 'autoattack', '--norm', 'l2',
      '--apgd-iter', '2', '--fab-iter', '2', '--square-queries', '3', '--targets', '2', '--out', out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'eval.json'), 'utf8'));
    expect([json.runs[0].norm, json.runs[0].eps]).toEqual(['L2', 2]);
    const aa = json.runs[0].attacks.find((a: { name: string }) => a.name === 'autoattack');
    expect(aa.stages.map((s: { name: string }) => s.name)).toEqual(['apgd-ce', 'apgd-t', 'fab-t', 'square']);
    expect(r.stdout).toMatch(/using standard version including apgd-ce, apgd-t, fab-t, square/);
    const rb = JSON.parse(fs.readFileSync(path.join(out, 'robustbench.json'), 'utf8'));
    expect([rb.threat_model, rb.eps]).toEqual(['L2', '2']);
    expect(Number(rb.autoattack_acc)).toBeCloseTo(aa.accuracy * 100, 2);
  });

  it('takes --eps above 1 only in L2, and refuses an attack without L2 by name', async () => {
    let r = await cli(['eval', run, '--backend', 'cpu', '--limit', '2', '--attacks', 'cw', '--norm', 'l2', '--eps', '1.5']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/attack 'cw' has no L2 threat model \(L2 attacks: pgd10/);
    r = await cli(['eval', run, '--backend', 'cpu', '--limit', '2', '--attacks', 'fgsm', '--norm', 'l2']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/attack 'fgsm' has no L2 threat model \(L2 attacks: .*square, autoattack, .*fab, fab-t/);
    r = await cli(['eval', run, '--backend', 'cpu', '--limit', '2', '--attacks', 'pgd1', '--eps', '1.5']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--eps 1.5: an L-inf budget must be <= 1/);
    r = await cli(['eval', run, '--norm', 'l3']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--norm.*expected one of Linf, L2/);
  });
});
