/**
 * Crash safety end to end: `cat-cli train` is SIGKILLed at random moments several times, each
 * time continued with `--resume`, and must end with exactly the metrics of an uninterrupted run
 * with the same seed (timings aside). After every kill, the checkpoint on disk is complete.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '@cat/core';
import { deterministicMetrics, readCheckpointState, readMetricsLog } from '@cat/trainer';
import { runCli, startCli } from './cli-process.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cat-reliability-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// A run small enough for a test: 10 digits, 2 steps an epoch, 20 epochs, 1 attack step.
const EPOCHS = 20;
const TINY = ['train', '--dataset', 'mnist-digits', '--method', 'cat-cent', '--train-subset', '10', '--test-subset', '10', '--epochs', String(EPOCHS),
  '--steps', '1', '--alpha', '0.3', '--batch', '5', '--eval-steps', '1', '--seed', '5'];

const metricsOf = (dir: string) => readMetricsLog(path.join(dir, 'metrics.jsonl')).records.map(deterministicMetrics);

describe('cat-cli train under SIGKILL', () => {
  it('resumes after kills at random moments to the metrics of an uninterrupted run', async () => {
    const refDir = path.join(tmp, 'ref');
    const runDir = path.join(tmp, 'killed');
    // The uninterrupted reference first, alone, to learn how long a whole run takes here and
    // when its first checkpoint appears (startup, i.e. loading tfjs, the addon and the data, is a
    // large and machine-dependent share of so short a run).
    const started = performance.now();
    const ref = startCli([...TINY, '--out', refDir]);
    let firstCheckpoint = Number.NaN;
    const poll = setInterval(() => {
      if (Number.isNaN(firstCheckpoint) && fs.existsSync(path.join(refDir, 'checkpoints', 'last'))) firstCheckpoint = performance.now() - started;
    }, 20);
    const refResult = await ref.done;
    clearInterval(poll);
    const whole = performance.now() - started;
    expect(refResult.code, refResult.stderr).toBe(0);
    expect(firstCheckpoint, 'the reference run never showed a checkpoint').toBeLessThan(whole);

    // Kill moments drawn from a seeded stream, placed by the run's progress rather than by the
    // clock (startup, i.e. loading tfjs, the addon and the data, is a large and machine-dependent
    // share of so short a run): each run is killed once it has logged 1 to 3 more epochs, after a
    // further random fraction of an epoch's time, so the kill lands inside training, evaluation
    // or a checkpoint write; a resumed run (which only redoes what is missing) is still going.
    const epochMs = (whole - firstCheckpoint) / (EPOCHS - 1);
    const epochsLogged = () => {
      const file = path.join(runDir, 'metrics.jsonl');
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
    };
    const rng = new Rng(2024);
    const kills: string[] = [];
    for (let i = 0; i < 3; i++) {
      const target = epochsLogged() + 1 + rng.int(3);
      const delay = Math.floor(epochMs * rng.next());
      const hadCheckpoint = fs.existsSync(path.join(runDir, 'checkpoints', 'last'));
      const { child, done } = startCli([...TINY, '--out', runDir, '--resume']);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const watch = setInterval(() => {
        if (timer === undefined && epochsLogged() >= target) timer = setTimeout(() => child.kill('SIGKILL'), delay);
      }, 10);
      const r = await done;
      clearInterval(watch);
      clearTimeout(timer);
      kills.push(`epoch ${target} + ${delay} ms${hadCheckpoint ? ' (resumed)' : ''}: ${r.signal ?? `exit ${r.code}`}`);
      // Whatever the moment, what is on disk is either nothing yet or a complete checkpoint.
      const last = path.join(runDir, 'checkpoints', 'last');
      if (fs.existsSync(last) || fs.existsSync(`${last}.old`)) expect(() => readCheckpointState(last)).not.toThrow();
      if (fs.existsSync(path.join(runDir, 'metrics.jsonl'))) expect(() => readMetricsLog(path.join(runDir, 'metrics.jsonl'))).not.toThrow();
    }
    console.log(`whole run ${Math.round(whole)} ms, first checkpoint at ${Math.round(firstCheckpoint)} ms; kills: ${kills.join('; ')}`);
    // Most kills must land mid-run for the test to mean anything.
    expect(kills.filter((k) => k.endsWith('SIGKILL')).length, kills.join('; ')).toBeGreaterThanOrEqual(2);
    // ...and at least one after training had saved a checkpoint, killing a resumed run.
    expect(kills.filter((k) => k.includes('(resumed)') && k.endsWith('SIGKILL')).length, kills.join('; ')).toBeGreaterThanOrEqual(1);
    const final = await runCli([...TINY, '--out', runDir, '--resume']);
    expect(final.code, `${kills.join('; ')}\n${final.stderr}`).toBe(0);

    const want = metricsOf(refDir);
    expect(want.map((m) => m.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    expect(metricsOf(runDir)).toEqual(want);
    expect(fs.readFileSync(path.join(runDir, 'checkpoints/last/f/weights.bin')).equals(fs.readFileSync(path.join(refDir, 'checkpoints/last/f/weights.bin')))).toBe(true);
    expect(fs.readFileSync(path.join(runDir, 'checkpoints/last/g/weights.bin')).equals(fs.readFileSync(path.join(refDir, 'checkpoints/last/g/weights.bin')))).toBe(true);
  }, 180_000);
});
