/**
 * `cat-cli reproduce` end to end on a tiny grid (40 training digits, 1-2 one-step epochs, 20
 * evaluation images, AutoAttack with a few iterations on 10): it trains, evaluates and writes the
 * tables; a second invocation skips every run; a killed run continues from its checkpoint; a
 * collapsed mask is marked; a failed run is recorded and makes the exit code non-zero.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { availableBackends } from '@cat/core';
import { resolveConfig, train, TrainingAbortedError } from '@cat/trainer';
import { cli } from './cli-in-process.js';
import { tempDir } from './eval-fixture.js';

const backend = availableBackends().includes('native') ? 'native' : 'cpu';

const root = tempDir('reproduce');
const runs = path.join(root, 'runs');
const results = path.join(root, 'results');
const tiny = [
  '--only', 'natural,cat-cent', '--seeds', '1', '--train-subset', '40', '--epochs', '2', '--limit', '20', '--aa-limit', '10',
  '--apgd-iter', '3', '--fab-iter', '3', '--square-queries', '10', '--backend', backend, '--runs-dir', runs, '--results-dir', results,
];
const mtime = (f: string) => fs.statSync(f).mtimeMs;
let first: Awaited<ReturnType<typeof cli>>;

beforeAll(async () => {
  first = await cli(['reproduce', 'table1', ...tiny]);
});

describe('cat-cli reproduce', () => {
  it('trains and evaluates every selected run and writes the tables', () => {
    expect(first.stderr).not.toMatch(/error/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/\[1\/2\] natural seed 0: training\.\.\./);
    expect(first.stdout).toMatch(/\[2\/2\] cat-cent seed 0: evaluating \(fgsm, pgd20, pgd100, cw on 20 images\)\.\.\./);
    expect(first.stdout).toMatch(/\[2\/2\] cat-cent seed 0: evaluating \(AutoAttack on 10 images\)\.\.\./);
    expect(first.stdout).toMatch(/\[1\/2\] natural seed 0: done in [\d.]+s \(elapsed \d+s, ETA \d+s\)/);
    for (const cell of ['natural', 'cat-cent']) {
      const dir = path.join(runs, `${cell}-seed0`);
      expect(fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
      const ev = JSON.parse(fs.readFileSync(path.join(dir, 'eval.json'), 'utf8')).runs[0];
      expect(ev.attacks.map((a: any) => a.name)).toEqual(['natural', 'fgsm', 'pgd20', 'pgd100', 'cw']);
      expect([ev.n, ev.eps]).toEqual([20, 0.3]);
      const aa = JSON.parse(fs.readFileSync(path.join(dir, 'eval-autoattack', 'eval.json'), 'utf8')).runs[0];
      expect([aa.attacks.map((a: any) => a.name), aa.n]).toEqual([['natural', 'autoattack'], 10]);
    }
    const json = JSON.parse(fs.readFileSync(path.join(results, 'table1.json'), 'utf8'));
    expect(json.format).toBe('cat-reproduce');
    expect(json.columns.map((c: any) => c.header)).toEqual(['Natural', 'FGSM', 'PGD-20', 'PGD-100', 'CW-inf', 'AutoAttack', 'Avg']);
    expect(json.rows.map((r: any) => r.cell.name)).toEqual(['natural', 'cat-cent']);
    const run = json.rows[1].runs[0];
    expect(run.status).toBe('done');
    expect(run.trainSeconds).toBeGreaterThan(0);
    expect(run.evalSeconds).toBeGreaterThan(0);
    expect(run.images).toMatchObject({ natural: 20, pgd20: 20, autoattack: 10 });
    // Avg of the row = mean of natural and the five robust columns of its one run.
    const acc = run.accuracies;
    const avg = (100 * ['natural', 'fgsm', 'pgd20', 'pgd100', 'cw', 'autoattack'].reduce((a, k) => a + acc[k], 0)) / 6;
    expect(json.rows[1].values.avg.mean).toBeCloseTo(avg, 10);
    const md = fs.readFileSync(path.join(results, 'table1.md'), 'utf8');
    expect(md.split('\n')[0]).toMatch(/^# mnist-digits: Table 1 reproduced/);
    expect(md).toContain(`**Command:** \`cat-cli reproduce table1 --dataset mnist-digits --train-subset 40 --epochs 2 --limit 20 --aa-limit 10 --seeds 1 --recipe cat --backend ${backend} --only natural,cat-cent`);
    expect(md).toContain('L-inf eps 0.3 for every method');
    expect(md).toContain('PGD-20: cross-entropy, 20 steps of 0.01, no random start');
    expect(md).toMatch(/\*\*backend:\*\* (native|cpu)/);
    // A model this tiny may sit at chance: then its row carries the "did not learn" note mark.
    expect(md).toMatch(/\| Natural(?: ⚠ (?:\[\d+\])+)? \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| 1\/1 \|/);
  });

  it('skips every finished run and evaluation on a second invocation', async () => {
    const evalFile = path.join(runs, 'cat-cent-seed0', 'eval.json');
    const before = mtime(evalFile);
    const r = await cli(['reproduce', 'table1', ...tiny]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[1\/2\] natural seed 0: skipped \(done\)/);
    expect(r.stdout).toMatch(/\[2\/2\] cat-cent seed 0: skipped \(done\)/);
    expect(r.stdout).not.toMatch(/training\.\.\.|evaluating/);
    expect(mtime(evalFile)).toBe(before);
  });

  it('marks a run whose last epoch shows a collapsed mask, and warns', async () => {
    const file = path.join(runs, 'cat-cent-seed0', 'metrics.jsonl');
    const saved = fs.readFileSync(file, 'utf8');
    const lines = saved.trim().split('\n').map((l) => JSON.parse(l));
    lines[1].mask = { mean: 0.002, low: 0.998, high: 0 };
    fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    try {
      const r = await cli(['reproduce', 'table1', ...tiny]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/warning: cat-cent seed 0: mask collapsed: in the last epoch \(2\) 99\.8% of the mask values/);
      const md = fs.readFileSync(path.join(results, 'table1.md'), 'utf8');
      const mark = md.match(/\| CAT-cent ⚠ ((?:\[\d+\])+) \| /);
      expect(mark).not.toBeNull();
      const collapseNote = md.match(/- \[(\d+)\] cat-cent seed 0: mask collapsed/);
      expect(collapseNote).not.toBeNull();
      expect(mark![1]).toContain(`[${collapseNote![1]}]`);
    } finally {
      fs.writeFileSync(file, saved);
    }
  });

  it('continues a killed run from its last checkpoint', async () => {
    const dir = path.join(runs, 'cat-cent-seed0');
    const config = resolveConfig(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')));
    fs.rmSync(dir, { recursive: true });
    // Kill it the way Ctrl-C does, right after epoch 1 was written.
    const ac = new AbortController();
    await expect(train(config, { signal: ac.signal, onProgress: (e) => e.type === 'epoch' && ac.abort() })).rejects.toBeInstanceOf(TrainingAbortedError);
    expect(fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    const r = await cli(['reproduce', 'table1', ...tiny]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[1\/2\] natural seed 0: skipped \(done\)/);
    expect(r.stdout).toMatch(/\[2\/2\] cat-cent seed 0: training \(continuing after epoch 1\)\.\.\./);
    expect(r.stdout).toMatch(/resuming cat-cent on mnist-digits .* from epoch 2 of 2/);
    expect(r.stdout).toMatch(/\[2\/2\] cat-cent seed 0: evaluating/);
    expect(fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    expect(fs.existsSync(path.join(dir, 'eval.json'))).toBe(true);
  });

  it('records a failed run in the table, goes on with the others and exits non-zero', async () => {
    const dir = path.join(root, 'runs-fail');
    // natural-seed0 holds a different run: that cell fails; nothing else is affected.
    fs.mkdirSync(path.join(dir, 'natural-seed0'), { recursive: true });
    const other = resolveConfig({ dataset: 'mnist-digits', method: 'at', out: path.join(dir, 'natural-seed0') });
    fs.writeFileSync(path.join(dir, 'natural-seed0', 'config.json'), JSON.stringify(other));
    const out = path.join(root, 'results-fail');
    const r = await cli(['reproduce', 'table1', ...tiny.slice(0, -4), '--only', 'natural', '--runs-dir', dir, '--results-dir', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\[1\/1\] natural seed 0: FAILED/);
    expect(r.stderr).toMatch(/warning: natural seed 0: training failed: .*holds a different run \(config.json differs in method/);
    expect(r.stderr).toMatch(/error: 1 run\(s\) failed; the tables record them/);
    const md = fs.readFileSync(path.join(out, 'table1.md'), 'utf8');
    expect(md).toContain('| Natural ⚠ [1] | - | - | - | - | - | - | - | 0/1 (1 failed) |');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'table1.json'), 'utf8')).failures).toBe(1);
  });

  it('writes the eps sweep as a table and a chart', async () => {
    const out = path.join(root, 'results-sweep');
    const r = await cli([
      'reproduce', 'eps-sweep', '--only', 'at', '--eps', '0.1,0.2', '--train-subset', '40', '--epochs', '1', '--limit', '20',
      '--backend', backend, '--runs-dir', path.join(root, 'runs-sweep'), '--results-dir', out,
    ]);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(path.join(root, 'runs-sweep')).sort()).toEqual(['at-eps0.1-seed0', 'at-eps0.2-seed0']);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'eps-sweep.json'), 'utf8'));
    expect(json.rows.map((row: any) => row.runs[0].accuracies.pgd20 !== undefined && row.cell.eps)).toEqual([0.1, 0.2]);
    expect(json.columns.map((c: any) => c.key)).toEqual(['natural', 'fgsm', 'pgd20', 'pgd100', 'cw', 'natural+pgd20', 'avg']);
    const ev = JSON.parse(fs.readFileSync(path.join(root, 'runs-sweep', 'at-eps0.2-seed0', 'eval.json'), 'utf8'));
    expect(ev.runs[0].eps).toBe(0.2);
    expect(fs.readFileSync(path.join(out, 'eps-sweep.svg'), 'utf8')).toContain('Robust accuracy (PGD-20)');
    expect(fs.statSync(path.join(out, 'eps-sweep.png')).size).toBeGreaterThan(1000);
    expect(fs.readFileSync(path.join(out, 'eps-sweep.md'), 'utf8')).toContain('| Method | Training eps | Natural |');
  });

  it('explains bad arguments', async () => {
    let r = await cli(['reproduce', 'table2']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/'table2' is invalid for argument 'grid'\. expected one of table1, eps-sweep, b-sweep/);
    r = await cli(['reproduce', 'table1', '--only', 'nope', '--runs-dir', path.join(root, 'x')]);
    expect(r.stderr).toMatch(/--only: unknown cell nope/);
    r = await cli(['reproduce', 'table1', '--b', '0.1']);
    expect(r.stderr).toMatch(/--b: only the b-sweep grid sweeps b/);
    r = await cli(['reproduce', '--help']);
    expect(r.code).toBe(0);
  });
});
