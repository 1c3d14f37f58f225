/**
 * `cat-cli bench`: images/s of the attack and of full CAT-cent steps on each tfjs backend
 * (suites in bench/suites.ts; the PyTorch peer in tools/peer/ runs the same suites).
 */
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { runBench, type BenchOptions } from './bench/run.js';
import { formatReport } from './bench/report.js';
import { isSuiteName, SUITE_NAMES } from './bench/suites.js';

export { runBench, resolveSize, resolveBackends, BENCH_BACKENDS, type BenchOptions } from './bench/run.js';
export { prepareSuite, type PreparedSuite, type PrepareOptions } from './bench/workload.js';
export { peakRssMB, rssMB, timeOperation, type Timing } from './bench/measure.js';
export { formatReport, type BenchReport, type BenchResult } from './bench/report.js';
export { SUITE_NAMES, suiteSpec, isPureTfjs, type SuiteName, type SuiteSpec } from './bench/suites.js';
export { forwardFlopsPerImage, pgdFlopsPerImage, catStepFlopsPerImage } from './bench/flops.js';

/** Options as commander parses them. */
interface BenchFlags {
  json?: boolean;
  suite: string[];
  backend: string[];
  iters?: string;
  warmup?: string;
  trainSteps?: string;
  batch?: string;
  steps?: string;
  seed?: string;
}

function collect(value: string, previous: string[]): string[] {
  return previous.concat(value.split(',').map((s) => s.trim()).filter((s) => s !== ''));
}

function int(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min) {
    throw new CliError(`${flag} must be an integer >= ${min}, got '${value}'`);
  }
  return n;
}

/** Turns parsed flags into {@link BenchOptions}, with clear errors for bad values. */
export function benchOptionsFromFlags(flags: BenchFlags): BenchOptions {
  const suites = flags.suite.includes('all') ? [...SUITE_NAMES] : flags.suite;
  for (const s of suites) {
    if (!isSuiteName(s)) {
      throw new CliError(`unknown bench suite '${s}' (--suite); expected one of: ${SUITE_NAMES.join(', ')}, all`);
    }
  }
  return {
    suites,
    backends: flags.backend,
    iters: int('--iters', flags.iters, 1),
    warmup: int('--warmup', flags.warmup, 0),
    trainSteps: int('--train-steps', flags.trainSteps, 0),
    batch: int('--batch', flags.batch, 1),
    steps: int('--steps', flags.steps, 1),
    seed: int('--seed', flags.seed, 0),
  };
}

/** Adds `bench` to the program. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      `measure images/s of the suites (${SUITE_NAMES.join(', ')}) on each available backend ` +
        '(native, cpu, wasm); pure-tfjs backends run a reduced batch and fewer PGD steps, reported per image',
    )
    .option('--json', 'print one JSON object {"suites": [...]} on stdout (progress goes to stderr)')
    .option('--suite <name>', `suite to run (repeatable or comma-separated; ${SUITE_NAMES.join(', ')}, all)`, collect, [])
    .option('--backend <name>', 'backend to run on (repeatable or comma-separated; default: every available of native, cpu, wasm)', collect, [])
    .option('--iters <n>', 'timed runs per suite (default 3; 1 for cat-step-resnet18 and reduced runs)')
    .option('--warmup <n>', 'untimed runs before timing (default 1; 0 for cat-step-resnet18)')
    .option('--train-steps <n>', 'natural training steps on real digits before timing (default 5)')
    .option('--batch <n>', 'batch size for every suite (default: the suite size; smaller on cpu/wasm)')
    .option('--steps <n>', 'PGD steps for every suite (default: the suite size; fewer on cpu/wasm)')
    .option('--seed <n>', 'seed of models, data order and attack starts (default 0)')
    .action(async (flags: BenchFlags) => {
      const options = benchOptionsFromFlags(flags);
      const progress = (line: string) => process.stderr.write(`${line}\n`);
      // tfjs and the backends may log on stdout; keep stdout for the one JSON object.
      const log = console.log;
      if (flags.json) console.log = (...args: unknown[]) => console.error(...args);
      try {
        const report = await runBench({
          ...options,
          onResult: (r) =>
            progress(`bench: ${r.name} on ${r.backend}: ${r.imagesPerSec.toPrecision(3)} images/s (batch ${r.batch}, ${r.pgdSteps} PGD steps)`),
        });
        if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else process.stdout.write(formatReport(report));
      } finally {
        console.log = log;
      }
    });
}
