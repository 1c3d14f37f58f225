import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deterministicMetrics,
  DivergenceError,
  loadRun,
  readMetricsLog,
  RunDirError,
  train,
  TrainingAbortedError,
  type TrainEvent,
} from '@cat/trainer';
import { fakeData, fakeDeps, fakeModels, tinyConfig } from './fakes.js';

let tmp: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cat-train-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const dir = (name: string) => path.join(tmp, name);

/** Train, aborting once `stopAt(event)` says so; returns the abort error (or null). */
async function trainUntil(out: string, stopAt: (e: TrainEvent) => boolean, resume = false): Promise<Error | null> {
  const ac = new AbortController();
  try {
    const r = await train(tinyConfig(out), { deps: fakeDeps(), resume, signal: ac.signal, onProgress: (e) => stopAt(e) && ac.abort() });
    r.f.dispose();
    r.g?.dispose();
    return null;
  } catch (err) {
    return err as Error;
  }
}

describe('train', () => {
  it('writes config, metrics and both checkpoints per the run layout', async () => {
    const out = dir('layout');
    const r = await train(tinyConfig(out), { deps: fakeDeps(), onProgress: () => {} });
    expect(r.metrics.map((m) => m.epoch)).toEqual([1, 2, 3]);
    // lr x0.1 from the milestone at epoch index 2 on.
    expect(r.metrics.map((m) => m.lr)).toEqual([0.01, 0.01, 0.01 * 0.1]);
    for (const m of r.metrics) {
      expect(m.naturalAcc).toBeGreaterThanOrEqual(m.pgd10Acc);
      expect(Object.keys(m.losses).sort()).toEqual(['loss_f', 'loss_g']);
      expect(m.imagesPerSec).toBeGreaterThan(0);
    }
    for (const f of ['config.json', 'metrics.jsonl', 'checkpoints/last/state.json', 'checkpoints/last/f/model.json',
      'checkpoints/last/f/weights.bin', 'checkpoints/last/g/model.json', 'checkpoints/best/state.json']) {
      expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    }
    expect(readMetricsLog(path.join(out, 'metrics.jsonl')).records).toEqual(r.metrics);
    const run = await loadRun(out, { checkpoint: 'last', buildModels: (cfg) => fakeModels(cfg.seed), data: fakeData });
    expect(run.config.epochs).toBe(3);
    expect(run.metrics).toEqual(r.metrics);
    const x = tf.tensor4d(fakeData.test.images, [16, 8, 8, 1]);
    const a = (r.f.predict(x) as tf.Tensor).arraySync();
    const b = (run.f.predict(x) as tf.Tensor).arraySync();
    expect(b).toEqual(a);
    const best = JSON.parse(fs.readFileSync(path.join(out, 'checkpoints/best/state.json'), 'utf8'));
    const scores = r.metrics.map((m) => m.naturalAcc + m.pgd10Acc);
    expect(best.epoch).toBe(scores.indexOf(Math.max(...scores)) + 1);
    tf.dispose([x, r.f, r.g!, run.f, run.g!] as any);
  });

  it('a run stopped after an epoch, or mid-epoch, resumes to exactly the uninterrupted metrics', async () => {
    const ref = await train(tinyConfig(dir('ref')), { deps: fakeDeps(), onProgress: () => {} });
    const want = ref.metrics.map(deterministicMetrics);
    ref.f.dispose();
    ref.g?.dispose();

    const out = dir('resumed');
    // Stop right after epoch 1's checkpoint, then in the middle of epoch 2.
    expect(await trainUntil(out, (e) => e.type === 'epoch' && e.metrics.epoch === 1)).toBeInstanceOf(TrainingAbortedError);
    const err = await trainUntil(out, (e) => e.type === 'step' && e.epoch === 2 && e.step === 2, true);
    expect(err).toBeInstanceOf(TrainingAbortedError);
    expect(err!.message).toMatch(/epoch 2, step 3.*checkpoints\/last \(epoch 1\)/);
    expect(await trainUntil(out, () => false, true)).toBeNull();
    const got = readMetricsLog(path.join(out, 'metrics.jsonl')).records.map(deterministicMetrics);
    expect(got).toEqual(want);
    const wa = fs.readFileSync(path.join(dir('ref'), 'checkpoints/last/f/weights.bin'));
    const wb = fs.readFileSync(path.join(out, 'checkpoints/last/f/weights.bin'));
    expect(wb.equals(wa)).toBe(true);
  });

  it('ignores a torn last metrics line on resume, with a warning, and drops lines past the checkpoint', async () => {
    const out = dir('torn');
    await trainUntil(out, (e) => e.type === 'epoch' && e.metrics.epoch === 1);
    const log = path.join(out, 'metrics.jsonl');
    const line1 = fs.readFileSync(log, 'utf8');
    // A complete line for an epoch the checkpoint never reached, then a torn append.
    fs.appendFileSync(log, line1.replace('"epoch":1', '"epoch":2') + '{"type":"epoch","epo');
    const warnings: string[] = [];
    const r = await train(tinyConfig(out), {
      deps: fakeDeps(),
      resume: true,
      onProgress: (e) => e.type === 'warning' && warnings.push(e.message),
    });
    expect(warnings.join('\n')).toMatch(/torn last line 3/);
    expect(warnings.join('\n')).toMatch(/dropping 1 line/);
    expect(readMetricsLog(log)).toEqual({ records: r.metrics, warnings: [] });
    expect(r.metrics.map((m) => m.epoch)).toEqual([1, 2, 3]);
    r.f.dispose();
    r.g?.dispose();
  });

  it('stops on a NaN loss naming epoch, step, term and the last good checkpoint, saving nothing', async () => {
    const out = dir('nan');
    const cfg = tinyConfig(out);
    await expect(train(cfg, { deps: fakeDeps({ epoch: 2, step: 2, kind: 'nan-loss' }), onProgress: () => {} })).rejects.toThrow(DivergenceError);
    const state = JSON.parse(fs.readFileSync(path.join(out, 'checkpoints/last/state.json'), 'utf8'));
    expect(state.epoch).toBe(1);
    const before = fs.readFileSync(path.join(out, 'checkpoints/last/f/weights.bin'));
    fs.rmSync(out, { recursive: true });
    const err = await train(cfg, { deps: fakeDeps({ epoch: 2, step: 2, kind: 'nan-loss' }), onProgress: () => {} }).catch((e) => e);
    expect(err.message).toMatch(/epoch 2, step 2 \(global step 5\): loss term "loss_g" is NaN/);
    expect(err.message).toContain(`${path.join(out, 'checkpoints', 'last')} (epoch 1)`);
    expect(fs.readFileSync(path.join(out, 'checkpoints/last/f/weights.bin')).equals(before)).toBe(true);
    expect(readMetricsLog(path.join(out, 'metrics.jsonl')).records.map((m) => m.epoch)).toEqual([1]);
  });

  it('stops on a non-finite weight, naming the weight', async () => {
    const out = dir('nanw');
    const err = await train(tinyConfig(out), { deps: fakeDeps({ epoch: 1, step: 1, kind: 'nan-weight' }), onProgress: () => {} }).catch((e) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    expect(err.message).toMatch(/epoch 1, step 1 .*weight .*kernel of f has 384 non-finite/);
    expect(err.message).toMatch(/none \(no epoch had finished\)/);
    expect(fs.existsSync(path.join(out, 'checkpoints/last'))).toBe(false);
  });

  it('refuses a dir holding a different run, or this run without --resume; --force starts over', async () => {
    const out = dir('refuse');
    await trainUntil(out, (e) => e.type === 'epoch');
    const other = tinyConfig(out, { eps: 0.2, alpha: 0.05 });
    await expect(train(other, { deps: fakeDeps() })).rejects.toThrow(RunDirError);
    await expect(train(other, { deps: fakeDeps(), resume: true })).rejects.toThrow(/holds a different run \(config.json differs in eps \(saved 0.1, asked 0.2\)/);
    await expect(train(tinyConfig(out), { deps: fakeDeps() })).rejects.toThrow(/already holds this run. Pass --resume/);
    const state = JSON.parse(fs.readFileSync(path.join(out, 'checkpoints/last/state.json'), 'utf8'));
    expect(state.epoch).toBe(1);
    const r = await train({ ...other, epochs: 1 }, { deps: fakeDeps(), force: true, onProgress: () => {} });
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).eps).toBe(0.2);
    r.f.dispose();
    r.g?.dispose();
  });
});
