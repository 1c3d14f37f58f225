/**
 * benny suites of cat (`pnpm bench` at the root runs this through turbo): every `cat-cli bench`
 * suite on every available backend, one benny suite per backend and suite, saved as JSON under
 * tools/bench/results/. Models are built and trained a few natural steps on real digits before
 * benny samples anything (speed depends on the weights). Needs the TypeScript build (turbo runs
 * it first). Flags: --suite NAME, --backend NAME (repeatable or comma-separated).
 */
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import b from 'benny';
import { useBackend } from '@cat/core';
import * as bench from '@cat/cli/bench';
import { parseArgs } from './args.mjs';

const RESULTS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');

const args = parseArgs(process.argv.slice(2), { suite: 'list', backend: 'list', 'train-steps': 'int' });
const names = args.suite ?? [...bench.SUITE_NAMES];
const specs = names.map((n) => bench.suiteSpec(n));
const backends = await bench.resolveBackends(args.backend);

for (const backend of backends) {
  await useBackend(backend);
  for (const spec of specs) {
    if (spec.slowOnPureTfjs && bench.isPureTfjs(backend) && !args.suite) {
      process.stderr.write(`skipping ${spec.name} on ${backend}: hours on a pure-tfjs backend (name it with --suite to run it)\n`);
      continue;
    }
    const size = bench.resolveSize(spec, backend, {});
    // Each sample of a CAT step takes seconds (the ResNet one a minute): few samples.
    const minSamples = spec.name === 'cat-step-resnet18' || size.reduced ? 1 : 3;
    const prepared = await bench.prepareSuite(spec, size, {
      trainSteps: args['train-steps'] ?? 5,
      iters: 4,
      seed: 0,
    });
    prepared.op(); // warm-up outside benny's clock
    const caseName = `${spec.name} ${backend} (batch ${size.batch}, ${size.pgdSteps} PGD steps)`;
    const file = `${spec.name}-${backend}-b${size.batch}-k${size.pgdSteps}`;
    await b.suite(
      `${spec.name} on ${backend}`,
      b.add(caseName, prepared.op, { minSamples, maxTime: 1, initCount: 1, delay: 0 }),
      b.cycle((r) => {
        const ips = r.ops * size.batch;
        return `${caseName}: ${ips.toPrecision(3)} images/s (${r.ops.toPrecision(3)} ops/s, ${r.samples} samples)`;
      }),
      b.complete(),
      b.save({ file, folder: RESULTS, format: 'json', details: true }),
    );
    prepared.dispose();
  }
}
