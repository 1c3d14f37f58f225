/**
 * Data-parallel scaling on this machine (issue 13, docs/SCALING.md): the same CAT-cent training
 * run as 1 process x T threads and as `mpirun -np R` ranks x T/R threads, side by side in one run
 * (the configurations interleaved, `--reps` times), on the MNIST CNN (embedded digits) and on
 * the PreAct ResNet-18 pair (CIFAR-10's shapes; random images in CIFAR's binary format, which
 * changes nothing in a step's cost). Each run trains 2 epochs; only the second (warm) epoch is
 * measured: its images/s, and under MPI the seconds rank 0 spent in all-reduce calls
 * (`allreduceSeconds` of metrics.jsonl: the transfer plus the wait for the slower rank).
 *
 *   pnpm --filter @cat/bench scaling [-- --reps 2 --ranks 2 --threads 2 --only mnist,resnet]
 *
 * Writes results/scaling-<time>.json and prints a Markdown table. Run it on a quiet machine:
 * every configuration uses all `--threads` cores.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './args.mjs';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = ['--conditions=source', '--import', 'tsx', 'packages/cli/src/main.ts'];
/** mpirun on one machine, as the MPI tests run it (also as root). */
const MPIRUN = ['--oversubscribe', '--mca', 'btl', 'self,tcp', '--mca', 'btl_tcp_if_include', 'lo', '--mca', 'oob_tcp_if_include', 'lo'];

const args = parseArgs(process.argv.slice(2), { reps: 'int', ranks: 'int', threads: 'int', only: 'list' });
const reps = args.reps ?? 2;
const ranks = args.ranks ?? 2;
const threads = args.threads ?? 2;
if (ranks < 2 || threads % ranks !== 0) throw new Error(`--ranks ${ranks} must be >= 2 and divide --threads ${threads}`);

const work = mkdtempSync(join(tmpdir(), 'cat-scaling-'));

/** CIFAR-10 binary files of random images: 5 training batches of `per` records and a test batch. */
function syntheticCifar(per) {
  const dir = join(work, 'cifar', 'cifar-10-batches-bin');
  mkdirSync(dir, { recursive: true });
  let seed = 1;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24);
  const file = (n) => {
    const b = Buffer.alloc(n * 3073);
    for (let r = 0; r < n; r++) {
      b[r * 3073] = r % 10;
      for (let i = 1; i < 3073; i++) b[r * 3073 + i] = next();
    }
    return b;
  };
  for (let k = 1; k <= 5; k++) writeFileSync(join(dir, `data_batch_${k}.bin`), file(per));
  writeFileSync(join(dir, 'test_batch.bin'), file(20));
  return join(work, 'cifar');
}

const STEPS = {
  mnist: { label: 'CAT-cent, MNIST CNN + mask net, batch 100, PGD-20', args: ['--dataset', 'mnist-digits', '--train-subset', '600', '--batch', '100'] },
  resnet: {
    label: 'CAT-cent, PreAct ResNet-18 + mask net, batch 32, PGD-10',
    args: () => ['--dataset', 'cifar10', '--data-dir', syntheticCifar(40), '--train-subset', '64', '--batch', '32'],
  },
};

/** One training run; the second epoch's line of metrics.jsonl. */
function train(step, np) {
  const out = join(work, `run-${step}-${np}-${Date.now()}`);
  const common = ['train', '--method', 'cat-cent', '--backend', 'native', '--epochs', '2', '--test-subset', '20', '--eval-steps', '1', '--out', out];
  const extra = typeof STEPS[step].args === 'function' ? STEPS[step].args() : STEPS[step].args;
  const env = { ...process.env, RAYON_NUM_THREADS: String(threads / np), OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' };
  const [cmd, argv] = np === 1 ? [process.execPath, [...CLI, ...common, ...extra]] : ['mpirun', ['-np', String(np), ...MPIRUN, '-x', 'RAYON_NUM_THREADS', 'node', ...CLI, ...common, ...extra]];
  const r = spawnSync(cmd, argv, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}):\n${r.stderr.slice(-3000)}`);
  const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  rmSync(out, { recursive: true, force: true });
  return lines[1];
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const results = [];
try {
  for (const step of Object.keys(STEPS).filter((s) => !args.only || args.only.includes(s))) {
    const runs = { single: [], mpi: [] };
    for (let rep = 0; rep < reps; rep++) {
      for (const [kind, np] of [['single', 1], ['mpi', ranks]]) {
        const m = train(step, np);
        runs[kind].push({ imagesPerSec: m.imagesPerSec, trainSeconds: m.trainSeconds, allreduceSeconds: m.allreduceSeconds ?? null });
        process.stderr.write(`${step} ${kind} rep ${rep + 1}/${reps}: ${m.imagesPerSec.toFixed(2)} img/s${m.allreduceSeconds === undefined ? '' : `, all-reduce ${(100 * m.allreduceSeconds / m.trainSeconds).toFixed(1)}% of the epoch`}\n`);
      }
    }
    const single = median(runs.single.map((r) => r.imagesPerSec));
    const mpi = median(runs.mpi.map((r) => r.imagesPerSec));
    const share = median(runs.mpi.map((r) => r.allreduceSeconds / r.trainSeconds));
    results.push({ step, label: STEPS[step].label, single, mpi, ratio: mpi / single, allreduceShare: share, runs });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const record = { date: new Date().toISOString(), ranks, threads, reps, results };
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, `scaling-${record.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
console.log(`| step | 1 process x ${threads} threads (img/s) | ${ranks} ranks x ${threads / ranks} thread(s) (img/s) | ranks / process | all-reduce share of the ranks' epoch |`);
console.log('|---|---:|---:|---:|---:|');
for (const r of results) console.log(`| ${r.label} | ${r.single.toFixed(2)} | ${r.mpi.toFixed(2)} | ${r.ratio.toFixed(2)}x | ${(100 * r.allreduceShare).toFixed(1)}% |`);
console.log(`\nmedians of ${reps} interleaved runs each, the second epoch of each; ${file}`);
