/**
 * `mpirun -np 2 cat-cli train` (issue 13): rank 0 alone writes the run; a rank killed mid-run
 * ends the whole job within bounded time with a message naming it, the last checkpoint stays
 * intact, and `--resume` finishes the run on another number of ranks.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mpirun, mpirunCommand } from '../../../core/test/distributed/mpirun.js';
import { HEARTBEAT_DIR } from '../../src/distributed.js';

const CLI = 'packages/cli/src/main.ts';
const dir = mkdtempSync(join(tmpdir(), 'cat-mpi-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small CAT-cent run: 200 images in batches of 50 (2 x 25 per rank), PGD-2, 3 epochs. */
const trainArgs = (out: string) => [
  'train', '--dataset', 'mnist-digits', '--method', 'cat-cent', '--backend', 'native', '--train-subset', '200', '--test-subset', '20',
  '--batch', '50', '--steps', '2', '--eval-steps', '2', '--epochs', '3', '--out', out,
];

const epochsLogged = (out: string) => (existsSync(join(out, 'metrics.jsonl')) ? readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').filter(Boolean).length : 0);

/** The pid of the rank `rank` among mpirun's children (from its OMPI_COMM_WORLD_RANK). */
function rankPid(mpirunPid: number, rank: number): number | undefined {
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      if (ppid !== mpirunPid) continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (env.includes(`OMPI_COMM_WORLD_RANK=${rank}`)) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

/** Starts `mpirun -np 2 cat-cli train` on `out`; resolves the exit code, collects the output. */
function startJob(out: string, env: Record<string, string> = {}) {
  const { command, args, options } = mpirunCommand(2, CLI, trainArgs(out), env);
  const job = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = { text: '' };
  job.stdout.on('data', (d) => (log.text += d));
  job.stderr.on('data', (d) => (log.text += d));
  const exited = new Promise<number | null>((resolve) => job.on('exit', (code) => resolve(code)));
  return { job, log, exited };
}

/** Waits until rank 0 has logged the first epoch (and so written its checkpoint). */
async function firstEpoch(out: string): Promise<void> {
  const t0 = Date.now();
  while (epochsLogged(out) < 1 && Date.now() - t0 < 240_000) await new Promise((r) => setTimeout(r, 200));
}

describe('mpirun -np 2 cat-cli train', () => {
  it('a killed rank ends the job naming it; the checkpoint survives and --resume on 3 ranks finishes', async () => {
    const out = join(dir, 'run');
    const { job, log, exited } = startJob(out);
    // Wait for the first epoch's checkpoint, then kill rank 1 in the middle of the second epoch.
    await firstEpoch(out);
    const output = () => log.text;
    expect(epochsLogged(out), output()).toBe(1);
    const victim = rankPid(job.pid!, 1);
    expect(victim, 'rank 1 among mpirun\'s children').toBeDefined();
    const killedAt = Date.now();
    process.kill(victim!, 'SIGKILL');
    const code = await exited;
    const stopSeconds = (Date.now() - killedAt) / 1000;

    expect(code).not.toBe(0);
    expect(stopSeconds).toBeLessThan(30);
    expect(output()).toMatch(/process rank 1 .*exited on signal 9/s);
    // Only rank 0 wrote: one config, one metrics line per finished epoch, and epoch 1's checkpoint.
    expect(epochsLogged(out)).toBe(1);
    expect(JSON.parse(readFileSync(join(out, 'checkpoints/last/state.json'), 'utf8')).epoch).toBe(1);

    // Resumed on another number of ranks: 3, so shards of 17, 17 and 16 images.
    const resumed = mpirun(3, CLI, [...trainArgs(out), '--resume']);
    expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('from epoch 2 of 3');
    // Rank 0 alone reports (the progress and the final line).
    expect(resumed.stdout.match(/^done: 3 epochs/gm)).toHaveLength(1);
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; step: number; trainSeconds: number; allreduceSeconds?: number });
    expect(lines.map((l) => l.epoch)).toEqual([1, 2, 3]);
    // The communication share of each epoch's training: some time, never more than the training.
    for (const l of lines) expect(l.allreduceSeconds! > 0 && l.allreduceSeconds! < l.trainSeconds, JSON.stringify(l)).toBe(true);
    // 4 global batches an epoch: steps count global batches, not shards.
    expect(lines.map((l) => l.step)).toEqual([4, 8, 12]);
  }, 480_000);

  it('a rank that fails ends every rank, naming itself', () => {
    // Rank 0 alone decides on the run dir, and refuses a --out that is a file.
    const out = join(dir, 'not-a-dir');
    writeFileSync(out, 'x');
    const run = mpirun(2, CLI, trainArgs(out));
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`rank 0 of 2 failed: --out ${out}: exists and is not a directory`);
    expect(run.seconds).toBeLessThan(120);
  }, 240_000);

  it('a rank that hangs ends the job after CAT_MPI_TIMEOUT_S, the checkpoint intact', async () => {
    const out = join(dir, 'hang');
    const { job, log, exited } = startJob(out, { CAT_MPI_TIMEOUT_S: '15' });
    await firstEpoch(out);
    expect(epochsLogged(out), log.text).toBe(1);
    const victim = rankPid(job.pid!, 1);
    expect(victim, "rank 1 among mpirun's children").toBeDefined();
    // A stopped process is the purest hang: it never reaches the next all-reduce.
    const stoppedAt = Date.now();
    process.kill(victim!, 'SIGSTOP');
    try {
      const code = await exited;
      expect(code).not.toBe(0);
      expect((Date.now() - stoppedAt) / 1000).toBeLessThan(90);
      // Rank 0 waited, and its heartbeats name rank 1 as the one that held it up: never arrived
      // (stopped outside the collective) or stopped beating (stopped inside it).
      expect(log.text).toMatch(/rank 0 of 2 waited 15 s in MPI_\w+ \(collective \d+\) for the other ranks: held up by rank 1 \((never arrived: still at collective \d+|in it, but its process stopped beating \d+ s ago)\)/);
      expect(readdirSync(join(out, HEARTBEAT_DIR)).sort()).toEqual(['rank-0', 'rank-1']);
      expect(epochsLogged(out)).toBe(1);
      expect(JSON.parse(readFileSync(join(out, 'checkpoints/last/state.json'), 'utf8')).epoch).toBe(1);
    } finally {
      for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
        try {
          process.kill(victim!, signal);
        } catch {
          // Already gone.
        }
      }
    }
  }, 480_000);
});
