import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeStagingDir, parkedName, Rng } from '@cat/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOptimizer,
  loadCheckpoint,
  readMetricsLog,
  resolveConfig,
  restoreCheckpoint,
  saveCheckpoint,
  snapshotOptimizer,
} from '@cat/trainer';
import { fakeData, fakeModels } from './fakes.js';

let tmp: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cat-ckpt-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cfg = () => resolveConfig({ method: 'cat-cent', dataset: 'mnist-digits', seed: 3, out: tmp, optimizer: 'sgd', lr: 0.1 });
const opts = { buildModels: () => fakeModels(99), data: fakeData };

/** Models trained a couple of steps so optimiser slots exist and weights moved. */
function trained() {
  const { f, g } = fakeModels(3);
  const spec = { kind: 'sgd' as const, lr: 0.1, momentum: 0.9, weightDecay: 5e-4 };
  const optF = createOptimizer(spec);
  const optG = createOptimizer(spec);
  const x = tf.tensor4d(fakeData.train.images.slice(0, 8 * 64), [8, 8, 8, 1]);
  for (let i = 0; i < 2; i++) {
    optF.minimize(() => tf.mean(tf.square(f.apply(x) as tf.Tensor)) as tf.Scalar, false, f.trainableWeights.map((w) => w.read() as tf.Variable));
    optG.minimize(() => tf.mean(g.apply(x) as tf.Tensor) as tf.Scalar, false, g.trainableWeights.map((w) => w.read() as tf.Variable));
  }
  x.dispose();
  return { f, g, optF, optG };
}

function stateFor(epoch: number, rng: Rng) {
  return { epoch, step: epoch * 3, config: cfg(), rng: rng.state(), metrics: [], best: null, elapsedSeconds: 1 };
}

describe('checkpoints', () => {
  it('round-trips weights, optimiser state and RNG state exactly', async () => {
    const t = trained();
    const rng = new Rng(11);
    rng.next();
    const dir = path.join(tmp, 'rt');
    await saveCheckpoint(dir, t, stateFor(2, rng));
    const ck = await loadCheckpoint(dir, opts);
    expect(ck.state.epoch).toBe(2);
    expect(ck.f.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(t.f.getWeights().map((w) => Array.from(w.dataSync())));
    expect(ck.g!.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(t.g.getWeights().map((w) => Array.from(w.dataSync())));
    const want = await snapshotOptimizer(t.optF);
    expect(ck.optimizers.f.weights.map((w) => Array.from(w.tensor.dataSync()))).toEqual(want.weights.map((w) => Array.from(w.tensor.dataSync())));
    expect(ck.optimizers.f.learningRate).toBe(0.1);
    const restored = Rng.fromState(ck.state.rng);
    expect([restored.next(), restored.next()]).toEqual([rng.next(), rng.next()]);

    // Restoring into live objects: the next optimiser step is the same as the original's.
    const live = { ...fakeModels(50), optF: createOptimizer({ kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4 }) };
    await restoreCheckpoint(dir, { f: live.f, optF: live.optF });
    const x = tf.ones([2, 8, 8, 1]);
    const stepOnce = (f: tf.LayersModel, o: tf.Optimizer) =>
      o.minimize(() => tf.mean(tf.square(f.apply(x) as tf.Tensor)) as tf.Scalar, false, f.trainableWeights.map((w) => w.read() as tf.Variable));
    stepOnce(t.f, t.optF);
    stepOnce(live.f, live.optF);
    expect(live.f.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(t.f.getWeights().map((w) => Array.from(w.dataSync())));
  });

  it('keeps the previous checkpoint when a write dies half-way, and recovers a parked one', async () => {
    const t = trained();
    const dir = path.join(tmp, 'crash');
    await saveCheckpoint(dir, t, stateFor(1, new Rng(1)));
    // A killed writer: a staging dir with a partial file next to the good checkpoint.
    const staging = makeStagingDir(dir);
    fs.writeFileSync(path.join(staging, 'state.json'), '{"format":"cat-chec');
    expect((await loadCheckpoint(dir, opts)).state.epoch).toBe(1);
    // Killed between parking the old one and moving the new one in: the parked copy is used.
    fs.renameSync(dir, parkedName(dir));
    expect(fs.existsSync(dir)).toBe(false);
    expect((await loadCheckpoint(dir, opts)).state.epoch).toBe(1);
    // The next save cleans up and replaces atomically.
    await saveCheckpoint(dir, t, stateFor(2, new Rng(1)));
    expect((await loadCheckpoint(dir, opts)).state.epoch).toBe(2);
    expect(fs.existsSync(parkedName(dir))).toBe(false);
  });

  it('names the file on a missing dir, bad JSON, wrong architecture or truncated weights', async () => {
    const t = trained();
    const good = path.join(tmp, 'good');
    await saveCheckpoint(good, t, stateFor(1, new Rng(1)));
    const copy = (name: string) => {
      const d = path.join(tmp, name);
      fs.cpSync(good, d, { recursive: true });
      return d;
    };
    await expect(loadCheckpoint(path.join(tmp, 'nope'), opts)).rejects.toThrow(/nope: checkpoint directory does not exist/);

    const badJson = copy('badjson');
    fs.writeFileSync(path.join(badJson, 'state.json'), '{ not json');
    await expect(loadCheckpoint(badJson, opts)).rejects.toThrow(/badjson\/state.json: checkpoint state is not valid JSON/);

    const badModelJson = copy('badmodeljson');
    fs.writeFileSync(path.join(badModelJson, 'f', 'model.json'), '');
    await expect(loadCheckpoint(badModelJson, opts)).rejects.toThrow(/badmodeljson\/f\/model.json: f \(classifier\) model description is not valid JSON/);

    const truncated = copy('truncated');
    const wfile = path.join(truncated, 'f', 'weights.bin');
    fs.writeFileSync(wfile, fs.readFileSync(wfile).subarray(0, 100));
    await expect(loadCheckpoint(truncated, opts)).rejects.toThrow(/truncated\/f\/weights.bin: holds 100 bytes, the manifest describes \d+ \(truncated or corrupt\)/);

    const wide = {
      buildModels: () => {
        const m = fakeModels(1);
        const f = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 1] }), tf.layers.dense({ units: 7 }), tf.layers.dense({ units: 4 })] });
        return { f, g: m.g };
      },
      data: fakeData,
    };
    await expect(loadCheckpoint(good, wide)).rejects.toThrow(/good\/f\/model.json: f \(classifier\) weight 0 \(".*"\) has shape \[64,6\], the architecture in the config expects \[64,7\] \(shape mismatch\)/);
    const deeper = {
      buildModels: () => ({ f: tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 1] }), tf.layers.dense({ units: 4 })] }), g: fakeModels(1).g }),
      data: fakeData,
    };
    await expect(loadCheckpoint(good, deeper)).rejects.toThrow(/has 4 weight tensors, the architecture in the config expects 2 \(architecture mismatch\)/);

    const escape = copy('escape');
    const mj = path.join(escape, 'f', 'model.json');
    const j = JSON.parse(fs.readFileSync(mj, 'utf8'));
    j.weightsManifest[0].paths = ['../../../etc/passwd'];
    fs.writeFileSync(mj, JSON.stringify(j));
    await expect(loadCheckpoint(escape, opts)).rejects.toThrow(/must be a plain file name/);

    const noOpt = copy('noopt');
    fs.rmSync(path.join(noOpt, 'optimizer', 'f.bin'));
    await expect(loadCheckpoint(noOpt, opts)).rejects.toThrow(/noopt\/optimizer\/f.bin: cannot read optimiser state \(ENOENT\)/);
  });
});

describe('metrics log', () => {
  it('skips a torn last line with a warning and fails on a damaged middle line', () => {
    const file = path.join(tmp, 'm.jsonl');
    const line = (e: number) => JSON.stringify({ type: 'epoch', epoch: e });
    fs.writeFileSync(file, `${line(1)}\n${line(2)}\n{"type":"ep`);
    const log = readMetricsLog(file);
    expect(log.records.map((r) => r.epoch)).toEqual([1, 2]);
    expect(log.warnings).toEqual([`${file}: ignoring torn last line 3 (${(() => { try { JSON.parse('{"type":"ep'); } catch (e: any) { return e.message; } })()})`]);
    // A complete JSON object without its newline is also an unfinished append.
    fs.writeFileSync(file, `${line(1)}\n${line(2)}`);
    expect(readMetricsLog(file).records.map((r) => r.epoch)).toEqual([1]);
    fs.writeFileSync(file, `${line(1)}\ngarbage\n${line(3)}\n`);
    expect(() => readMetricsLog(file)).toThrow(/m.jsonl: line 2 is not valid JSON/);
    expect(readMetricsLog(path.join(tmp, 'absent.jsonl'))).toEqual({ records: [], warnings: [] });
  });
});
