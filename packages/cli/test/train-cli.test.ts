/**
 * `cat-cli train` / `demo` argument handling: every bad argument is one clear error and a
 * non-zero exit, found before any training starts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { coreDeps, resolveConfig } from '@cat/trainer';
import { main } from '../src/main.js';
import { configFromFlags } from '../src/commands/train.js';
import { runCli } from '../../../test/reliability/cli-process.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cat-cli-train-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Run main in-process, capturing what it writes. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: any) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: any) => ((err += String(s)), true));
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('cat-cli train arguments', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['a non-numeric number', ['--eps', 'abc'], /option '--eps <number>' argument 'abc' is invalid\. expected a number, got "abc"/],
    ['a number with junk', ['--epochs', '3x'], /'--epochs <n>' argument '3x' is invalid\. expected a whole number/],
    ['a fractional count', ['--batch', '2.5'], /'--batch <n>' argument '2.5' is invalid\. expected a whole number/],
    ['eps out of range', ['--eps', '1.5'], /'--eps <number>' argument '1.5' is invalid\. must be <= 1/],
    ['negative eps', ['--eps', '-0.1'], /'--eps <number>' argument '-0.1' is invalid\. must be >= 0/],
    ['steps 0', ['--steps', '0'], /'--steps <n>' argument '0' is invalid\. must be >= 1/],
    ['an unknown method', ['--method', 'cat-cnet'], /'--method <name>' argument 'cat-cnet' is invalid\. expected one of cat-cent, cat-cw/],
    ['an unknown dataset', ['--dataset', 'svhn'], /'--dataset <name>' argument 'svhn' is invalid/],
    ['an unknown backend', ['--backend', 'gpu'], /'--backend <name>' argument 'gpu' is invalid\. expected one of native, cpu, wasm, tensorflow/],
    ['an unknown flag', ['--epsilon', '0.3'], /unknown option '--epsilon'/],
    ['a bad milestone list', ['--milestones', '30,x'], /'--milestones <epochs>' argument '30,x' is invalid\. expected a whole number, got "x"/],
    ['an unknown ablation', ['--ablation', 'A3'], /'--ablation <kind>' argument 'A3' is invalid\. expected one of none, A1, A2/],
    ['an unknown architecture', ['--arch', 'resnet50'], /'--arch <name>' argument 'resnet50' is invalid\. expected one of mnist-cnn, preact-resnet18, wide-resnet/],
    ['an unknown mask network', ['--mask-arch', 'unet'], /'--mask-arch <name>' argument 'unet' is invalid\. expected one of mnist-mask, resnet18-mask/],
  ];
  it.each(cases)('rejects %s', async (_name, args, msg) => {
    const r = await cli(['train', ...args]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(msg);
  });

  it('rejects contradictory settings the flags alone cannot see, naming the flag', async () => {
    const out = path.join(tmp, 'contra');
    let r = await cli(['train', '--backend', 'cpu', '--eps', '0.1', '--alpha', '0.5', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cat-cli: error: invalid --alpha: alpha \(0.5\) exceeds eps \(0.1\)/);
    r = await cli(['train', '--backend', 'cpu', '--method', 'at', '--ablation', 'A1', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/invalid --ablation: applies to the CAT methods only, not to at/);
    r = await cli(['train', '--backend', 'cpu', '--method', 'trades', '--mask-arch', 'resnet18-mask', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/invalid --mask-arch: applies to the methods with a mask network \(cat-cent, cat-cw\) only, not to trades/);
    r = await cli(['train', '--backend', 'cpu', '--milestones', '30,10', '--out', out]);
    expect(r.err).toMatch(/invalid --milestones: must be strictly increasing, got 30,10/);
    r = await cli(['train', '--backend', 'cpu', '--resume', '--force', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--resume and --force contradict each other/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('builds the mask network --mask-arch names', () => {
    // The flag reaches the config (the contradiction above names it); here the config reaches g.
    // A whole run with the ResNet-18 mask net takes minutes on the cpu backend, so the models are
    // built as the trainer builds them, without training.
    const cfg = resolveConfig(configFromFlags({ method: 'cat-cent', dataset: 'mnist-digits', maskArch: 'resnet18-mask' }, 'cpu'));
    expect(cfg.maskArch).toBe('resnet18-mask');
    const data = { train: { height: 28, width: 28, channels: 1 }, numClasses: 10, mean: [0], std: [1] };
    const { f, g } = coreDeps.buildModels(cfg, data as never, true);
    const classes = (m: tf.LayersModel) => new Set(m.layers.map((l) => l.getClassName()));
    // The ResNet-18 mask net has batch norm and residual adds; the MNIST one has neither.
    expect(classes(g!).has('BatchNormalization')).toBe(true);
    expect(classes(g!).has('Add')).toBe(true);
    expect(g!.outputs[0].shape).toEqual([null, 28, 28, 1]);
    const preset = coreDeps.buildModels(resolveConfig(configFromFlags({ method: 'cat-cent', dataset: 'mnist-digits' }, 'cpu')), data as never, true);
    expect(classes(preset.g!).has('Add')).toBe(false);
    for (const m of [f, g!, preset.f, preset.g!]) m.dispose();
  });

  it('refuses an output dir that holds a different run', async () => {
    const out = path.join(tmp, 'other');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'config.json'), JSON.stringify({ method: 'at', dataset: 'mnist-digits', eps: 0.1 }));
    const r = await cli(['train', '--backend', 'cpu', '--out', out, '--epochs', '1']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out .*other: holds a different run \(config.json differs in method \(saved "at", asked "cat-cent"\)/);
    expect(fs.readdirSync(out)).toEqual(['config.json']);
  });

  it('names a run config that is not JSON', async () => {
    const out = path.join(tmp, 'badjson');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'config.json'), '{"method": "cat-');
    const r = await cli(['train', '--backend', 'cpu', '--out', out, '--resume']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/badjson\/config.json: run config is not valid JSON/);
  });

  it('shows the preset defaults in --help', async () => {
    const r = await cli(['train', '--help']);
    expect(r.code).toBe(0);
    // commander wraps help to the terminal width.
    const help = r.out.replace(/\s+/g, ' ');
    expect(help).toMatch(/--eps <number> L-inf budget of the training attack, in \[0,1\] \(default from the preset: mnist 0\.3, fashion-mnist 0\.1, cifar 8\/255\)/);
    expect(help).toMatch(/--epochs <n> epochs \(default from the preset: mnist 40, cifar10 140, cifar100 120\)/);
    const d = await cli(['demo', '--help']);
    expect(d.code).toBe(0);
    expect(d.out).toMatch(/--eval-subset <n>/);
  });

  it('checks demo flags the same way', async () => {
    const r = await cli(['demo', '--eval-subset', '0']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/'--eval-subset <n>' argument '0' is invalid\. must be >= 1/);
    const r2 = await cli(['demo', '--backend', 'cpu', '--eps', '0.1', '--alpha', '0.2', '--out', path.join(tmp, 'demo')]);
    expect(r2.code).toBe(2);
    expect(r2.err).toMatch(/invalid --alpha: alpha \(0.2\) exceeds eps \(0.1\)/);
  });

  it('exits non-zero from a real process with the message on stderr', async () => {
    const r = await runCli(['train', '--eps', 'abc']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--eps <number>' argument 'abc' is invalid/);
  }, 60_000);
});
