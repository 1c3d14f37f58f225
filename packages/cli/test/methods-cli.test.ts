/**
 * One declaration per method: the trainer's settings, `train --help`, `cat-cli methods` and
 * docs/METHODS.md are all derived from it, so every declared setting must show up in each.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMethod, METHODS, METHOD_SETTINGS, methodOptionsFromSettings, type MethodSpec } from '@cat/core';
import { resolveConfig } from '@cat/trainer';
import { methodsMarkdown } from '../src/commands/methods.js';
import { flagOf } from '../src/options.js';
import { cli } from './cli-in-process.js';

const root = path.resolve(__dirname, '../../..');

describe('method declarations drive the trainer, the CLI and the docs', () => {
  it('docs/METHODS.md is what `cat-cli methods --markdown` prints (regenerate it when a method changes)', async () => {
    const r = await cli(['methods', '--markdown']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(methodsMarkdown());
    expect(fs.readFileSync(path.join(root, 'docs/METHODS.md'), 'utf8')).toBe(r.stdout);
  });

  it('every declared setting is a config key, a train flag and a row of the docs', async () => {
    const help = (await cli(['train', '--help'])).stdout;
    const doc = methodsMarkdown();
    for (const s of METHOD_SETTINGS) {
      expect(help).toContain(flagOf(s.key));
      expect(doc).toContain(`| \`${s.key}\``);
      expect(resolveConfig({ method: s.methods[0], dataset: 'mnist' })).toHaveProperty(s.key);
    }
    // And the settings are all the declared options (but the library-only ones).
    for (const [name, spec] of Object.entries(METHODS) as [string, MethodSpec][]) {
      for (const [option, o] of Object.entries(spec.options)) {
        const declared = METHOD_SETTINGS.some((s) => s.declared.get(name as never)?.option === option);
        expect(declared, `${name}.${option}`).toBe(o.setting !== false);
      }
    }
  });

  it('a resolved configuration builds each method with exactly the values it holds', () => {
    for (const name of Object.keys(METHODS)) {
      const cfg = resolveConfig({ method: name, dataset: 'cifar10', recipe: 'spec' });
      const options = methodOptionsFromSettings(name, cfg as never);
      const m = createMethod(name, options) as unknown as Record<string, unknown>;
      if (name === 'mart') expect(m.lambda).toBe(cfg.beta);
      if (name === 'trades' || name === 'fat-trades') expect(m.beta).toBe(cfg.beta);
      if (name.startsWith('cat')) expect([m.a, m.b, m.kappa, m.eps]).toEqual([cfg.a, cfg.b, cfg.kappa, cfg.eps]);
    }
  });

  it('a setting the method does not declare is refused when set, naming who has it', () => {
    expect(() => resolveConfig({ method: 'trades', dataset: 'mnist', a: 2 })).toThrow(/invalid a: applies to the CAT methods only, not to trades/);
    expect(() => resolveConfig({ method: 'cat-cent', dataset: 'mnist', beta: 2 })).toThrow(/invalid beta: applies to trades, mart, fat-trades only, not to cat-cent/);
    // Its default is fine (a configuration holds every setting).
    expect(resolveConfig({ method: 'trades', dataset: 'mnist', a: 1 }).a).toBe(1);
  });

  it('the declared range decides the flag parser and the config check alike', async () => {
    const r = await cli(['train', '--mask-lr-scale', '1.5']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--mask-lr-scale <number>' argument '1.5' is invalid\. must be <= 1/);
    expect(() => resolveConfig({ method: 'cat-cent', dataset: 'mnist', startRadius: -1 })).toThrow(/invalid startRadius: must be >= 0, got -1/);
    expect(resolveConfig({ method: 'cat-cent', dataset: 'mnist', clamp: false }).clamp).toBe(false);
  });
});
