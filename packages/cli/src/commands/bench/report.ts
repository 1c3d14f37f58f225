/** The JSON shape `cat-cli bench --json` prints, and its plain-text rendering. */

/** One suite measured on one backend. */
export interface BenchResult {
  /** Suite name (`pgd20-mnist`, `cat-step-mnist`, `cat-step-resnet18`). */
  name: string;
  /** tfjs backend the suite ran on (`native`, `cpu`, `wasm`, ...). */
  backend: string;
  /** Images processed per second over the timed runs (batch x iters / seconds). */
  imagesPerSec: number;
  /** Images per second of the fastest timed run (less sensitive to other load on the machine). */
  imagesPerSecBest: number;
  batch: number;
  /** Attack steps per image (PGD steps inside the CAT step, or of the attack alone). */
  pgdSteps: number;
  /** Timed runs, after `warmup` untimed runs and `trainSteps` natural training steps. */
  iters: number;
  warmup: number;
  trainSteps: number;
  secondsPerIter: number[];
  /** True when batch or PGD steps are smaller than the suite's full size (`SuiteSpec.full`). */
  reduced: boolean;
  /** Model FLOPs per image of the operation (conv and dense layers; see flops.ts). */
  flopsPerImage: number;
  /** `flopsPerImage x imagesPerSec`, in GFLOP/s. */
  achievedGflops: number;
  /**
   * Reduced runs only: images/s scaled to the full PGD steps by the FLOP ratio, an estimate
   * (per-image cost scales with FLOPs when the batch is not tiny; tiny batches run slower).
   */
  estimatedFullStepsImagesPerSec?: number;
  /** Peak resident set of the process so far (MiB): this suite's own only when run alone. */
  peakRssMB: number;
  /**
   * Tensors left allocated per timed run (0 means the operation does not leak tensors). With
   * `--warmup 0` the optimisers' first update creates their slot variables (Adam moments,
   * momentum), which count here once.
   */
  tensorsLeakedPerIter: number;
  /** Anything a reader of the number must know (reduced size, ...). */
  note?: string;
}

/** What `cat-cli bench --json` prints: one object, one entry per suite and backend. */
export interface BenchReport {
  suites: BenchResult[];
  /** Suite and backend pairs left out of this run, and why. */
  skipped: { name: string; backend: string; reason: string }[];
  /** Where it ran: CPU model, core count, load average at the start, versions. */
  meta: Record<string, unknown>;
}

function fmt(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return String(n);
  return n >= 100 ? n.toFixed(0) : n.toPrecision(digits);
}

/** A plain-text table of the results, for terminals. */
export function formatReport(report: BenchReport): string {
  const header = ['suite', 'backend', 'batch', 'pgd', 'images/s', 's/iter', 'GFLOP/s', 'peak RSS MiB'];
  const rows = report.suites.map((r) => [
    r.name,
    r.backend,
    String(r.batch),
    String(r.pgdSteps),
    fmt(r.imagesPerSec),
    fmt(r.secondsPerIter.reduce((a, b) => a + b, 0) / r.secondsPerIter.length),
    fmt(r.achievedGflops),
    fmt(r.peakRssMB),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const notes = report.suites
    .filter((r) => r.note)
    .map((r) => `note (${r.name} on ${r.backend}): ${r.note}`)
    .concat(report.skipped.map((s) => `skipped ${s.name} on ${s.backend}: ${s.reason}`));
  return [line(header), ...rows.map(line), ...notes].join('\n') + '\n';
}
