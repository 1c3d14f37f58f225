/**
 * Data-parallel CAT (issue 13's done-when): three CAT-cent steps on the MNIST CNN and its mask
 * net with 2 ranks x 50 images under mpirun equal one process with 100 images, for every weight
 * of both networks, within float tolerance; and the two ranks end bit-identical.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DataParallel, shardRange, type Collective } from '@cat/core';
import { jsonLines, mpirun } from './mpirun.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SCRIPT = 'packages/core/test/distributed/cat-steps.ts';
const dir = mkdtempSync(join(tmpdir(), 'cat-dp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Largest difference allowed between any weight of the two runs. The two sum the batch's
 * gradients in different orders, and Adam's normalised step turns the rounding of near-zero
 * gradients into differences of up to ~4e-5 (measured); three steps at lr 1e-3 move weights by
 * up to ~3e-3, so a wrong average (e.g. a sum, or one rank's gradient) is far outside it.
 */
const TOLERANCE = 2e-4;

const read = (name: string) => new Float32Array(readFileSync(join(dir, name)).buffer.slice(0));

describe('shardRange', () => {
  it('cuts a batch into contiguous shards that cover it once, sizes within one', () => {
    for (const [count, size] of [[100, 2], [7, 3], [128, 5], [3, 3]]) {
      const shards = Array.from({ length: size }, (_, r) => shardRange(count, r, size));
      expect(shards[0].start).toBe(0);
      expect(shards[size - 1].end).toBe(count);
      shards.slice(1).forEach((s, r) => expect(s.start).toBe(shards[r].end));
      const sizes = shards.map((s) => s.end - s.start);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
});

describe('DataParallel.allreduceSeconds', () => {
  it('adds up the time spent inside the all-reduce calls, and nothing else', () => {
    const busy = (ms: number) => {
      const t = performance.now();
      while (performance.now() - t < ms);
    };
    // A one-rank communicator whose all-reduce takes 30 ms and sums nothing away.
    const comm: Collective = { rank: 0, size: 1, allreduceSum: () => busy(30), broadcast: () => undefined };
    const dp = new DataParallel(comm);
    expect(dp.allreduceSeconds).toBe(0);
    busy(300); // outside any call: not counted
    dp.setShard(1, 1);
    expect(dp.averageLosses({ a: 2 })).toEqual({ a: 2 });
    expect(dp.sumCounts([3, 4])).toEqual([3, 4]);
    expect(dp.allreduceSeconds).toBeGreaterThanOrEqual(0.06);
    expect(dp.allreduceSeconds).toBeLessThan(0.3);
  });
});

describe('data-parallel CAT-cent (mpirun -np 2, one thread per rank)', () => {
  it('2 x 50 images give the weights of 1 x 100 after three steps', () => {
    const single = spawnSync('node', ['--conditions=source', '--import', 'tsx', SCRIPT, dir, '100'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, RAYON_NUM_THREADS: '1' },
    });
    expect(single.status, single.stderr).toBe(0);
    const run = mpirun(2, SCRIPT, [dir, '100']);
    expect(run.status, run.stderr).toBe(0);

    const reports = jsonLines<{ rank: number; shard: number[]; losses: Record<string, number>[]; moved: number }>(run.stdout).sort((a, b) => a.rank - b.rank);
    expect(reports.map((r) => r.shard)).toEqual([
      [0, 50],
      [50, 100],
    ]);
    const [one] = jsonLines<{ losses: Record<string, number>[] }>(single.stdout);
    // The global losses (shard means averaged) are the single process's batch means.
    reports[0].losses.forEach((l, s) => {
      for (const k of Object.keys(one.losses[s])) expect(l[k]).toBeCloseTo(one.losses[s][k], 4);
    });

    const w0 = read('weights-0.f32');
    const w1 = read('weights-1.f32');
    const ws = read('weights-single.f32');
    expect(w0.length).toBe(ws.length);
    // Both ranks hold the same averaged gradients and so the same weights, bit for bit.
    expect(Buffer.from(w0.buffer).equals(Buffer.from(w1.buffer))).toBe(true);
    let maxDiff = 0;
    let maxAbs = 0;
    for (let i = 0; i < ws.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(w0[i] - ws[i]));
      maxAbs = Math.max(maxAbs, Math.abs(ws[i]));
    }
    expect(maxAbs).toBeGreaterThan(0);
    // Training really moved the weights, by far more than the tolerance.
    expect(reports[0].moved).toBeGreaterThan(10 * TOLERANCE);
    expect(maxDiff).toBeLessThan(TOLERANCE);
  }, 480_000);
});
