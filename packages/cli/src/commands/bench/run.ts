/** Runs bench suites on backends and collects a {@link BenchReport}. */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { availableBackends, useBackend, type BackendName } from '@cat/core';
import { isPureTfjs, suiteSpec, SUITE_NAMES, type SuiteSize, type SuiteSpec } from './suites.js';
import { prepareSuite } from './workload.js';
import { peakRssMB, timeOperation } from './measure.js';
import type { BenchReport, BenchResult } from './report.js';

/** The backends `cat-cli bench` runs when none is named, in this order, where available. */
export const BENCH_BACKENDS = ['native', 'cpu', 'wasm'] as const;

/** Options of {@link runBench}; every field has a default. */
export interface BenchOptions {
  /**
   * Suite names; default (or 'all') every suite, except those too slow on a pure-tfjs backend,
   * which only run there when named.
   */
  suites?: string[];
  /** Backend names; default every available one of native, cpu, wasm. */
  backends?: string[];
  /** Timed runs per suite; default 3 (1 for cat-step-resnet18, and for reduced runs). */
  iters?: number;
  /** Untimed runs before timing; default 1 (0 for cat-step-resnet18, a step of minutes). */
  warmup?: number;
  /** Natural training steps on real digits before anything runs; default 5. */
  trainSteps?: number;
  /** Batch size override (all suites). */
  batch?: number;
  /** PGD steps override (all suites). */
  steps?: number;
  seed?: number;
  /** Called after each suite (progress on stderr). */
  onResult?: (r: BenchResult) => void;
}

function checkCount(flag: string, v: number | undefined, min: number): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min)) {
    throw new Error(`bench: ${flag} must be an integer >= ${min}, got ${v}`);
  }
}

/** The size a suite runs at on `backend`, with overrides applied. */
export function resolveSize(spec: SuiteSpec, backend: string, o: BenchOptions): SuiteSize & { reduced: boolean } {
  const base = isPureTfjs(backend) ? spec.reduced : spec.full;
  const batch = o.batch ?? base.batch;
  const pgdSteps = o.steps ?? base.pgdSteps;
  return { batch, pgdSteps, reduced: batch < spec.full.batch || pgdSteps < spec.full.pgdSteps };
}

/** Resolves which backends to run, with a clear error for unknown or unavailable ones. */
export async function resolveBackends(requested: string[] | undefined): Promise<string[]> {
  const available: string[] = availableBackends();
  if (!requested || requested.length === 0) {
    return BENCH_BACKENDS.filter((b) => available.includes(b));
  }
  for (const b of requested) {
    if (!available.includes(b)) {
      const hint = b === 'native' ? ' (the native addon is not built: `pnpm --filter @cat/native build`)' : '';
      throw new Error(`bench: backend '${b}' (--backend) is not available here${hint}; available: ${available.join(', ')}`);
    }
  }
  return requested;
}

/**
 * Runs every requested suite on every requested backend (backend by backend) and returns the
 * results. Each suite builds fresh models, trains them `trainSteps` natural steps on real digits,
 * runs the operation `warmup` times, then times `iters` runs.
 */
export async function runBench(o: BenchOptions = {}): Promise<BenchReport> {
  const named = o.suites !== undefined && o.suites.length > 0 && !o.suites.includes('all');
  const names = named ? o.suites! : [...SUITE_NAMES];
  const specs = names.map((n) => suiteSpec(n));
  checkCount('--iters', o.iters, 1);
  checkCount('--warmup', o.warmup, 0);
  checkCount('--train-steps', o.trainSteps, 0);
  checkCount('--batch', o.batch, 1);
  checkCount('--steps', o.steps, 1);
  const backends = await resolveBackends(o.backends);
  const meta = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    loadAverage: os.loadavg(),
    node: process.version,
    tfjs: tf.version.tfjs,
    date: new Date().toISOString(),
  };
  const results: BenchResult[] = [];
  const skipped: BenchReport['skipped'] = [];
  for (const backend of backends) {
    await useBackend(backend as BackendName);
    for (const spec of specs) {
      if (spec.slowOnPureTfjs && isPureTfjs(backend) && !named) {
        skipped.push({
          name: spec.name,
          backend,
          reason: 'takes hours on a pure-tfjs backend (its Conv2DBackpropFilter runs at a few MFLOP/s); run it with --suite ' + spec.name,
        });
        continue;
      }
      const size = resolveSize(spec, backend, o);
      const iters = o.iters ?? (size.reduced || spec.name === 'cat-step-resnet18' ? 1 : 3);
      // The ResNet step takes minutes; its natural training steps already warm the engine up.
      const warmup = o.warmup ?? (spec.name === 'cat-step-resnet18' ? 0 : 1);
      const trainSteps = o.trainSteps ?? 5;
      const prepared = await prepareSuite(spec, size, { trainSteps, seed: o.seed ?? 0, iters: warmup + iters });
      try {
        const timing = timeOperation(prepared.op, warmup, iters);
        const imagesPerSec = (size.batch * iters) / timing.totalSeconds;
        const result: BenchResult = {
          name: spec.name,
          backend,
          imagesPerSec,
          imagesPerSecBest: size.batch / Math.min(...timing.secondsPerIter),
          batch: size.batch,
          pgdSteps: size.pgdSteps,
          iters,
          warmup,
          trainSteps,
          secondsPerIter: timing.secondsPerIter,
          reduced: size.reduced,
          flopsPerImage: prepared.flopsPerImage,
          achievedGflops: (prepared.flopsPerImage * imagesPerSec) / 1e9,
          peakRssMB: peakRssMB(),
          tensorsLeakedPerIter: timing.tensorsLeakedPerIter,
        };
        if (size.reduced) {
          const full = prepared.flopsPerImageAt(spec.full.pgdSteps);
          result.estimatedFullStepsImagesPerSec = (imagesPerSec * prepared.flopsPerImage) / full;
          result.note =
            `reduced size: batch ${size.batch} (full ${spec.full.batch}), ${size.pgdSteps} PGD steps ` +
            `(full ${spec.full.pgdSteps}); images/s is per image at this size`;
        }
        results.push(result);
        o.onResult?.(result);
      } finally {
        prepared.dispose();
      }
    }
  }
  return { suites: results, skipped, meta };
}
