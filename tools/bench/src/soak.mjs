/**
 * Memory soak: many CAT-cent training steps of a small configuration (MNIST CNN + mask net) on
 * one backend while sampling the resident set, then a verdict on whether it grows.
 *
 *   node tools/bench/src/soak.mjs [--steps 500] [--batch 16] [--pgd-steps 2] [--backend native]
 *                                 [--every 10] [--json]
 *
 * Verdict: a least-squares line through the RSS samples after the first 20% of the steps (the
 * allocator and tfjs's pools fill up first); the resident set "grows" when that line rises by
 * more than 16 MiB over the measured window, or when tensors are left allocated.
 * Writes tools/bench/results/soak-BACKEND.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '@cat/core';
import * as bench from '@cat/cli/bench';
import { parseArgs } from './args.mjs';
import { verdict } from './soak-verdict.mjs';

const RESULTS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');
async function main() {
  const args = parseArgs(process.argv.slice(2), {
    steps: 'int', batch: 'int', 'pgd-steps': 'int', backend: 'string', every: 'int', json: 'boolean',
  });
  const steps = args.steps ?? 500;
  const every = Math.max(1, args.every ?? 10);
  const backend = args.backend ?? 'native';
  const size = { batch: args.batch ?? 16, pgdSteps: args['pgd-steps'] ?? 2 };
  await useBackend(backend);
  const spec = bench.suiteSpec('cat-step-mnist');
  // 50 distinct batches, cycled: the data stays fixed, so any growth is the engine's.
  const prepared = await bench.prepareSuite(spec, size, { trainSteps: 0, iters: 50, seed: 0 });
  const samples = [];
  const sample = (step) => {
    if (global.gc) global.gc();
    samples.push({ step, rssMB: bench.rssMB(), heapMB: process.memoryUsage().heapUsed / 2 ** 20, numTensors: tf.memory().numTensors });
  };
  const t0 = Date.now();
  sample(0);
  for (let s = 1; s <= steps; s++) {
    prepared.op();
    if (s % every === 0 || s === steps) {
      sample(s);
      if (!args.json) process.stderr.write(`soak: step ${s}/${steps} rss ${samples.at(-1).rssMB.toFixed(1)} MiB, tensors ${samples.at(-1).numTensors}\n`);
    }
  }
  prepared.dispose();
  const result = {
    backend, steps, batch: size.batch, pgdSteps: size.pgdSteps, seconds: (Date.now() - t0) / 1000,
    peakRssMB: bench.peakRssMB(), ...verdict(samples, steps), samples,
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(path.join(RESULTS, `soak-${backend}.json`), JSON.stringify(result, null, 1));
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(
      `soak on ${backend}: ${steps} CAT steps (batch ${size.batch}, ${size.pgdSteps} PGD steps) in ${result.seconds.toFixed(0)} s; ` +
        `RSS ${samples[0].rssMB.toFixed(0)} -> ${samples.at(-1).rssMB.toFixed(0)} MiB, slope after step ${result.measuredFromStep}: ` +
        `${result.rssSlopeMBPer100Steps.toFixed(2)} MiB/100 steps, tensors +${result.tensorDelta}: ` +
        `${result.grows ? 'GROWS' : 'steady'}\n`,
    );
  }
  process.exitCode = result.grows ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((e) => {
    process.stderr.write(`soak: error: ${e?.message ?? e}\n`);
    process.exitCode = 2;
  });
}
