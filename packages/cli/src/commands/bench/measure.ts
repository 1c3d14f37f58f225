/** Timing of one benchmark operation: untimed warm-up runs, then timed runs. */
import * as tf from '@tensorflow/tfjs';

/** What `timeOperation` measured. */
export interface Timing {
  /** Wall seconds of each timed run. */
  secondsPerIter: number[];
  /** Sum of `secondsPerIter`. */
  totalSeconds: number;
  /** Tensors still allocated after the timed runs minus before them, per run (0: no leak). */
  tensorsLeakedPerIter: number;
}

/**
 * Runs `op` `warmup` times untimed, then `iters` times timed. `op` must finish its work before it
 * returns (read a value back), since tfjs kernels may run lazily on some backends.
 */
export function timeOperation(op: () => void, warmup: number, iters: number): Timing {
  if (!Number.isInteger(iters) || iters < 1) throw new Error(`bench: iters must be an integer >= 1, got ${iters}`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`bench: warmup must be an integer >= 0, got ${warmup}`);
  for (let i = 0; i < warmup; i++) op();
  const before = tf.memory().numTensors;
  const secondsPerIter: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = process.hrtime.bigint();
    op();
    secondsPerIter.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const leaked = (tf.memory().numTensors - before) / iters;
  return {
    secondsPerIter,
    totalSeconds: secondsPerIter.reduce((a, b) => a + b, 0),
    tensorsLeakedPerIter: leaked,
  };
}

/** Peak resident set of this process so far, in MiB (Linux reports maxRSS in KiB). */
export function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Current resident set of this process, in MiB. */
export function rssMB(): number {
  return process.memoryUsage.rss() / (1024 * 1024);
}
