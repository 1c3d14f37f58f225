#!/usr/bin/env node
/**
 * Side by side: `cat-cli bench` (our engine) against the PyTorch peer (cat_peer.py) on the same
 * suites, in one run on this machine, plus the machine's measured sgemm peak. Prints per suite
 * images/s of both, the ratio ours / PyTorch, peak RSS of both (each suite runs in its own process,
 * so the peak is that suite's), and our achieved GFLOP/s against the sgemm peak. A measuring tool,
 * outside CI. Run from anywhere:
 *
 *   node tools/peer/compare.mjs [--suite NAME]... [--backend native] [--iters N] [--json]
 *                               [--train-steps N] [--batch N --steps N  (a quick smoke run)]
 *                               [--markdown  (tables for docs/PERFORMANCE.md)]
 *   node tools/peer/compare.mjs --from tools/bench/results/compare-DATE.json --markdown
 *
 * Suites run one after the other (never concurrently: the machine has 2 cores), ours first then
 * PyTorch's for each suite, so both see about the same machine load. Saves the JSON under
 * tools/bench/results/compare-DATE.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const PYTHON = '/usr/bin/python3';
const SUITES = ['pgd20-mnist', 'cat-step-mnist', 'cat-step-resnet18'];

function parse(argv) {
  const o = { suite: [], backend: [], iters: undefined, json: false, markdown: false, trainSteps: undefined, batch: undefined, steps: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--suite') o.suite.push(...val().split(','));
    else if (a === '--backend') o.backend.push(...val().split(','));
    else if (a === '--iters') o.iters = val();
    else if (a === '--train-steps') o.trainSteps = val();
    else if (a === '--batch') o.batch = val();
    else if (a === '--steps') o.steps = val();
    else if (a === '--json') o.json = true;
    else if (a === '--markdown') o.markdown = true;
    else if (a === '--from') o.from = val();
    else throw new Error(`unknown argument '${a}' (expected --suite, --backend, --iters, --train-steps, --batch, --steps, --json, --markdown)`);
  }
  for (const s of o.suite) if (!SUITES.includes(s)) throw new Error(`unknown suite '${s}'; expected one of ${SUITES.join(', ')}`);
  if (o.suite.length === 0) o.suite = SUITES;
  if (o.backend.length === 0) o.backend = ['native'];
  return o;
}

/** Runs a command, returns its stdout parsed as JSON (stderr passes through as progress). */
function runJson(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${cmd} ${args.join(' ')}`);
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (!line) throw new Error(`${what} printed no JSON: ${r.stdout.slice(0, 500)}`);
  return JSON.parse(line);
}

function ours(suite, backend, o) {
  const args = ['--conditions=source', '--import', 'tsx', 'packages/cli/src/main.ts', 'bench', '--json', '--suite', suite, '--backend', backend];
  if (o.iters) args.push('--iters', o.iters);
  if (o.trainSteps) args.push('--train-steps', o.trainSteps);
  if (o.batch) args.push('--batch', o.batch);
  if (o.steps) args.push('--steps', o.steps);
  return runJson(process.execPath, args, `cat-cli bench (${suite}, ${backend})`).suites[0];
}

function peer(suite, o) {
  const args = [path.join(HERE, 'cat_peer.py'), '--suite', suite];
  if (o.iters) args.push('--iters', o.iters);
  if (o.trainSteps) args.push('--train-steps', o.trainSteps);
  if (o.batch) args.push('--batch', o.batch);
  if (o.steps) args.push('--steps', o.steps);
  return runJson(PYTHON, args, `PyTorch peer (${suite})`).suites[0];
}

const f = (n, d = 3) => (n == null || !Number.isFinite(n) ? '-' : n >= 100 ? n.toFixed(0) : n.toPrecision(d));

/** docs/PERFORMANCE.md tables of a compare report. */
export function markdown(report) {
  const out = [];
  out.push('| suite | batch / PGD steps | ours (native) images/s | PyTorch images/s | ours / PyTorch | best-run ratio | ours GFLOP/s | PyTorch GFLOP/s | peak RSS ours / PyTorch (MiB) |');
  out.push('|---|---|---|---|---|---|---|---|---|');
  for (const r of report.rows) {
    out.push(`| \`${r.suite}\` (${r.backend}) | ${r.ours.batch} / ${r.ours.pgdSteps} | ${f(r.ours.imagesPerSec)} | ${f(r.pytorch.imagesPerSec)} | **${f(r.ratio)}** | ${f(r.ratioBest)} | ${f(r.oursGflops)} | ${f(r.pytorchGflops)} | ${f(r.ours.peakRssMB, 4)} / ${f(r.pytorch.peakRssMB, 4)} |`);
  }
  out.push('');
  out.push(`sgemm peak, 2 threads, n = ${report.sgemm.n}: **${f(report.sgemm.sgemmPeakGflops)} GFLOP/s** (numpy/OpenBLAS ${f(report.sgemm.numpy)}, torch ${f(report.sgemm.torch)}).`);
  for (const c of report.conv ?? []) {
    out.push('');
    out.push(`| conv (3x3, ${c.backend}) | shape N,H,W,Cin,Cout | forward GFLOP/s | forward + both gradients GFLOP/s |`);
    out.push('|---|---|---|---|');
    for (const r of c.rows) out.push(`| ${r.name} | ${r.shape.join(', ')} | ${f(r.gflopsForward)} | ${f(r.gflopsTrain)} |`);
  }
  return out.join('\n') + '\n';
}

function main() {
  const o = parse(process.argv.slice(2));
  if (o.from) {
    process.stdout.write(markdown(JSON.parse(readFileSync(path.resolve(o.from), 'utf8'))));
    return;
  }
  process.stderr.write('compare: measuring the sgemm peak (2 threads)\n');
  const sgemm = runJson(PYTHON, [path.join(HERE, 'sgemm_probe.py'), '--threads', '2'], 'sgemm probe');
  const convRuns = o.backend.map((backend) => {
    process.stderr.write(`compare: conv path GFLOP/s on ${backend}\n`);
    const args = ['--conditions=source', '--import', 'tsx', 'tools/bench/src/conv-gflops.mjs', '--json', '--backend', backend];
    if (backend === 'cpu' || backend === 'wasm') args.push('--small');
    return runJson(process.execPath, args, `conv-gflops (${backend})`);
  });
  const rows = [];
  for (const suite of o.suite) {
    for (const backend of o.backend) {
      process.stderr.write(`compare: ${suite} on ${backend} (ours)\n`);
      const a = ours(suite, backend, o);
      process.stderr.write(`compare: ${suite} (PyTorch)\n`);
      const p = peer(suite, o);
      const sameSize = a.batch === p.batch && a.pgdSteps === p.pgdSteps;
      rows.push({
        suite, backend, ours: a, pytorch: p, sameSize,
        ratio: a.imagesPerSec / p.imagesPerSec,
        ratioBest: a.imagesPerSecBest / p.imagesPerSecBest,
        oursGflops: a.achievedGflops,
        // PyTorch does the same model FLOPs per image when the sizes agree.
        pytorchGflops: sameSize ? (a.flopsPerImage * p.imagesPerSec) / 1e9 : null,
        oursFractionOfSgemmPeak: a.achievedGflops / sgemm.sgemmPeakGflops,
      });
    }
  }
  const report = {
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadAverageAtEnd: os.loadavg(), node: process.version },
    sgemm,
    conv: convRuns,
    rows,
  };
  const dir = path.join(ROOT, 'tools', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `compare-${report.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 1));
  if (o.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  if (o.markdown) {
    process.stdout.write(markdown(report));
    return;
  }
  const out = [];
  out.push(`sgemm peak (2 threads, n=${sgemm.n}): ${f(sgemm.sgemmPeakGflops)} GFLOP/s (numpy ${f(sgemm.numpy)}, torch ${f(sgemm.torch)})`);
  out.push(['suite', 'backend', 'batch/pgd', 'ours img/s', 'torch img/s', 'ours/torch', 'best-run ratio', 'ours GFLOP/s', '% sgemm', 'torch GFLOP/s', 'peak RSS ours/torch MiB'].join(' | '));
  for (const r of rows) {
    out.push([
      r.suite, r.backend, `${r.ours.batch}/${r.ours.pgdSteps}${r.sameSize ? '' : ` (torch ${r.pytorch.batch}/${r.pytorch.pgdSteps})`}`,
      f(r.ours.imagesPerSec), f(r.pytorch.imagesPerSec), f(r.ratio), f(r.ratioBest), f(r.oursGflops), `${f(100 * r.oursFractionOfSgemmPeak)}%`,
      f(r.pytorchGflops), `${f(r.ours.peakRssMB)} / ${f(r.pytorch.peakRssMB)}`,
    ].join(' | '));
  }
  for (const c of convRuns) {
    out.push(`conv path on ${c.backend} (3x3 convs of the CAT models): best forward ${f(c.bestForward)} GFLOP/s ` +
      `(${f((100 * c.bestForward) / sgemm.sgemmPeakGflops)}% of sgemm peak), best forward+backward ${f(c.bestTrain)} GFLOP/s ` +
      `(${f((100 * c.bestTrain) / sgemm.sgemmPeakGflops)}%)`);
    for (const r of c.rows) out.push(`  ${r.name}: forward ${f(r.gflopsForward)}, forward+backward ${f(r.gflopsTrain)} GFLOP/s`);
  }
  out.push(`load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine skews both sides)`);
  out.push(`saved ${path.relative(ROOT, file)}`);
  process.stdout.write(out.join('\n') + '\n');
}

try {
  main();
} catch (e) {
  process.stderr.write(`compare: error: ${e?.message ?? e}\n`);
  process.exit(2);
}
