import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ATTACK_NAMES, EVAL_ATTACK_NAMES, EVAL_SUITES, createEvalAttack } from '@cat/core';
import { evalRuns, parseAttackList } from '../src/commands/eval.js';
import { cli } from './cli-in-process.js';
import { tempDir, writeFakeRun } from './eval-fixture.js';

let runA: string;
let runB: string;

beforeAll(async () => {
  const root = tempDir('eval');
  runA = await writeFakeRun(path.join(root, 'seed1'), { seed: 1 });
  runB = await writeFakeRun(path.join(root, 'seed2'), { seed: 2 });
});

describe('cat-cli eval', () => {
  it('prints the paper table and writes eval.md / eval.json into the run dir', async () => {
    // Gradient attacks on the (untrained) MNIST CNN take tens of seconds on the shared cpu here;
    // Square needs forward passes only. The attacks themselves are tested in @cat/core.
    const r = await cli(['eval', runA, '--backend', 'cpu', '--limit', '6', '--batch', '6', '--attacks', 'square', '--square-queries', '5', '--sanity']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.stderr).toMatch(/seed1: square done \(2\/2\)/);
    expect(r.stdout).toMatch(/Method\s+Natural\s+Square\s+Avg/);
    expect(r.stdout).toMatch(/square\s+[\d.]+%\s+[\d.]+ img\/s\s+queries mean/);
    expect(r.stdout).toContain('sanity:');
    const json = JSON.parse(fs.readFileSync(path.join(runA, 'eval.json'), 'utf8'));
    expect(json.format).toBe('cat-eval');
    expect(json.runs[0].attacks.map((a: any) => a.name)).toEqual(['natural', 'square']);
    expect(json.runs[0].n).toBe(6);
    const md = fs.readFileSync(path.join(runA, 'eval.md'), 'utf8');
    expect(md).toContain('| Method | Natural | Square | Avg |');
  });

  it('groups seeds of one configuration into one mean ± std row and writes to --out', async () => {
    const out = tempDir('eval-out');
    const lines: string[] = [];
    const res = await evalRuns([runA, runB], { backend: 'cpu', limit: 4, batch: 4, attacks: ['square'], squareQueries: 3, out, log: (l) => lines.push(l) });
    expect(res.table.rows).toHaveLength(1);
    expect(res.table.rows[0].runs).toBe(2);
    expect(res.table.rows[0].cells[0]!.count).toBe(2);
    expect(lines.join('\n')).toMatch(/±/);
    expect(fs.existsSync(path.join(out, 'eval.json'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'eval.json'), 'utf8')).runs).toHaveLength(2);
  });

  it('--attacks accepts every name the attack registries accept, and only those', async () => {
    // The examples, which a hand-written list in the CLI used to reject, and the
    // registries' own name lists.
    const forms = ['pgd10-kl', 'cw30', 'friendly-pgd10', 'pgd20:restarts=5', 'pgd7x2', 'pgd5-cw', 'cw'];
    for (const name of [...ATTACK_NAMES, ...EVAL_ATTACK_NAMES, ...Object.values(EVAL_SUITES).flat(), ...forms]) {
      expect(parseAttackList(name), name).toEqual([name]);
    }
    expect(parseAttackList('square,pgd20:restarts=5,alpha=0.005,cw30')).toEqual(['square', 'pgd20:restarts=5,alpha=0.005', 'cw30']);
    // Whatever the CLI accepts the registry builds, and the other way round.
    for (const name of ['pgd10-kl', 'cw30', 'bogus', 'pgd-kl', 'friendly-pgd', 'pgd20:bogus=1', 'apgd-dlr', 'pgd20x']) {
      let built = true;
      try {
        createEvalAttack(name, { eps: 0.1 });
      } catch {
        built = false;
      }
      let parsed = true;
      try {
        parseAttackList(name);
      } catch {
        parsed = false;
      }
      expect(parsed, name).toBe(built);
    }
    // A registry name with overrides runs end to end through the command.
    const out = tempDir('eval-names');
    const res = await evalRuns([runA], {
      backend: 'cpu',
      limit: 2,
      batch: 2,
      attacks: parseAttackList('cw2,pgd1:restarts=2,randomStart=true'),
      out,
      log: () => {},
    });
    expect(res.runs[0].attacks.map((a) => a.name)).toEqual(['natural', 'cw2', 'pgd1:restarts=2,randomStart=true']);
  });

  it('gives clear errors for bad arguments and missing or corrupt runs', async () => {
    expect(() => parseAttackList('fgsm,bogus')).toThrow(/unknown attack 'bogus'/);
    expect(() => parseAttackList('fgsm,fgsm')).toThrow(/listed twice/);
    expect(() => parseAttackList('pgd20:bogus=1')).toThrow(/--attacks: .*unknown option 'bogus'/);
    let r = await cli(['eval', '/nonexistent/run', '--backend', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/nonexistent\/run: run directory does not exist/);
    r = await cli(['eval', runA, '--attacks', 'nope']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown attack 'nope'/);
    r = await cli(['eval', runA, '--limit', '0']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--limit/);
    const broken = tempDir('broken');
    fs.writeFileSync(path.join(broken, 'config.json'), '{ not json');
    r = await cli(['eval', broken, '--backend', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot load run .*config\.json/);
  });
});
