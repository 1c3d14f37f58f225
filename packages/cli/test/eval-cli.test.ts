import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ATTACK_NAMES, EVAL_ATTACK_NAMES, EVAL_SUITES, createEvalAttack } from '@cat/core';
import { evalRuns, parseAttackList, resolveAttackNames, robustBenchEntry, robustBenchEps } from '../src/commands/eval.js';
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
    // One name of each form the registry parses (loss suffix, count, restarts, overrides), and
    // the registries' own name lists.
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

  it("runs the AutoAttack version asked for, prints its breakdown as the reference does, and writes RobustBench's fields", async () => {
    // A custom AutoAttack of Square and APGD-T at tiny budgets; 20 targets are more than the ten
    // classes allow, which --sanity's class check reports.
    const out = tempDir('eval-aa');
    const r = await cli([
      'eval', runA, '--backend', 'cpu', '--limit', '4', '--batch', '4', '--suite', 'autoattack',
      '--aa-attacks', 'square,apgd-t', '--square-queries', '3', '--square-p-init', '0.5', '--apgd-iter', '1', '--targets', '20',
      '--sanity', '--out', out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'eval.json'), 'utf8'));
    const run = json.runs[0];
    const aa = run.attacks.find((a: any) => a.name === 'autoattack-custom');
    expect(aa.version).toBe('custom');
    expect(aa.stages.map((s: any) => s.name)).toEqual(['square', 'apgd-t']);
    const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
    const lines = r.stdout.split('\n').map((l) => l.trim());
    const at = lines.indexOf('using custom version including square, apgd-t');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe(`initial accuracy: ${pct(aa.initialAccuracy)}`);
    expect(lines[at + 2]).toMatch(new RegExp(`^robust accuracy after SQUARE: ${pct(aa.stages[0].robustAccuracy)} \\(total time \\d+\\.\\d s\\)$`));
    expect(lines[at + 3]).toMatch(new RegExp(`^robust accuracy after APGD-T: ${pct(aa.stages[1].robustAccuracy)} \\(total time \\d+\\.\\d s\\)$`));
    expect(lines[at + 4]).toBe(`robust accuracy: ${pct(aa.accuracy)}`);
    expect(aa.initialAccuracy).toBe(run.attacks[0].accuracy);
    // eval.md keeps the same log.
    const md = fs.readFileSync(path.join(out, 'eval.md'), 'utf8');
    expect(md).toContain(`## autoattack-custom on ${runA}\n\n\`\`\`\nusing custom version including square, apgd-t\ninitial accuracy: ${pct(aa.initialAccuracy)}\n`);
    expect(md).toContain(`robust accuracy: ${pct(aa.accuracy)}\n\`\`\``);
    // AutoAttack's own checks, on the model, reported by --sanity.
    expect(r.stdout).toMatch(/sanity: WARNING \[n-classes\] .*APGD-T asks for 20 target classes, only 9 are possible/);
    const checks = run.sanity.map((f: any) => f.check);
    expect(checks).toContain('n-classes');
    for (const c of ['probabilities', 'randomized', 'dynamic']) expect(checks).not.toContain(c);
    // RobustBench's field names, in eval.json and in robustbench.json.
    const rb = JSON.parse(fs.readFileSync(path.join(out, 'robustbench.json'), 'utf8'));
    expect(rb).toEqual(run.robustbench);
    expect(rb).toEqual({
      name: run.label,
      dataset: 'mnist-digits',
      threat_model: 'Linf',
      norm: 'Linf',
      eps: robustBenchEps(run.eps),
      architecture: 'mnist-cnn',
      additional_data: false,
      number_forward_passes: 1,
      clean_acc: (run.attacks[0].accuracy * 100).toFixed(2),
      autoattack_acc: (aa.accuracy * 100).toFixed(2),
      autoattack_version: 'custom',
      unreliable: true,
      n_examples: 4,
    });
  });

  it('--aa-version and --aa-attacks say which AutoAttack autoattack is, and reject contradictions', async () => {
    expect(resolveAttackNames({ suite: 'autoattack' })).toEqual(['autoattack']);
    expect(resolveAttackNames({ suite: 'autoattack', aaVersion: 'plus' })).toEqual(['autoattack-plus']);
    expect(resolveAttackNames({ attacks: ['fgsm', 'autoattack'], aaVersion: 'rand' })).toEqual(['fgsm', 'autoattack-rand']);
    expect(resolveAttackNames({ suite: 'autoattack', aaVersion: 'standard' })).toEqual(['autoattack']);
    expect(resolveAttackNames({ suite: 'autoattack', aaAttacks: ['apgd-ce'] })).toEqual(['autoattack-custom']);
    expect(() => resolveAttackNames({ suite: 'autoattack', aaVersion: 'plus', aaAttacks: ['apgd-ce'] })).toThrow(/cannot go with --aa-version plus/);
    expect(() => resolveAttackNames({ suite: 'autoattack', aaVersion: 'custom' })).toThrow(/needs --aa-attacks/);
    expect(() => resolveAttackNames({ suite: 'paper', aaVersion: 'plus' })).toThrow(/no autoattack in the attack list/);
    expect(() => resolveAttackNames({ attacks: ['autoattack', 'autoattack-plus'], aaVersion: 'plus' })).toThrow(/listed twice/);
    let r = await cli(['eval', runA, '--aa-version', 'bogus']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--aa-version/);
    r = await cli(['eval', runA, '--aa-attacks', 'apgd-ce,pgd20']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--aa-attacks: .*unknown stage 'pgd20'/);
  });

  it("writes eps and accuracies as RobustBench does, AutoAttack's standard version first", () => {
    expect(robustBenchEps(8 / 255)).toBe('8/255');
    expect(robustBenchEps(0.3)).toBe('0.3');
    expect(robustBenchEps(0.031)).toBe('0.031');
    const acc = (name: string, accuracy: number) => ({ name, accuracy, correct: 0, total: 100, seconds: 1, imagesPerSecond: 1 });
    const entry = robustBenchEntry(
      { label: 'CAT', dataset: 'cifar10', eps: 8 / 255, n: 100, attacks: [acc('natural', 0.8534), acc('autoattack-plus', 0.52), acc('autoattack', 0.5342)] },
      'wrn-34-10',
    );
    expect(entry).toMatchObject({ clean_acc: '85.34', autoattack_acc: '53.42', autoattack_version: 'standard', eps: '8/255', architecture: 'wrn-34-10' });
    expect(entry).not.toHaveProperty('unreliable');
    expect(robustBenchEntry({ label: 'x', dataset: 'mnist', eps: 0.3, n: 10, attacks: [acc('natural', 0.9)] }, 'a', [])).not.toHaveProperty('autoattack_acc');
    expect(robustBenchEntry({ label: 'x', dataset: 'mnist', eps: 0.3, n: 10, attacks: [acc('natural', 0.9)] }, 'a', []).unreliable).toBe(false);
  });
});
