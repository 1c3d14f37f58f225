/**
 * `cat-cli reproduce <grid>`: the paper's comparison with one command. Trains every cell of the
 * grid (Table 1, the Figure 3 eps sweep or the Table 8 b sweep) at every seed as an ordinary run
 * directory, evaluates each under one attack budget, and writes mean ± std tables (and the
 * sweeps' charts) with a caption that says how they were made. Resumable at every level: a
 * finished run or evaluation is skipped, a partial run continues from its last checkpoint.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_EVAL_ATTACK_NAMES, recipeMethods, tableToText, type MethodName, type RecipeName, type SanityFinding } from '@cat/core';
import { BACKEND_NAMES, DATASET_NAMES, PRESETS, RECIPE_NAMES, resolveConfig, type DatasetName, type TrainConfig } from '@cat/trainer';
import { renderVegaLite, sweepChartSpec } from '@cat/viz';
import { CliError } from '../errors.js';
import { choiceArg, numberArg, showNumber } from '../options.js';
import { aggregateRuns, readMask, runNotes, sweepPoints, tableColumns, type ReproduceRow, type RunRecord } from '../reproduce/aggregate.js';
import { DEFAULT_SEEDS, gridCells, GRID_NAMES, selectCells, type GridCell, type GridName } from '../reproduce/grids.js';
import { describeEvalAttack, describeTraining, reportMarkdown, REPRODUCE_JSON_FORMAT, type ReproduceReport } from '../reproduce/report.js';
import {
  clearEvaluations,
  evalDir,
  finishedEval,
  hasCheckpoint,
  readRunRecord,
  runMetrics,
  trainingState,
  writeRunRecord,
  type Collapse,
  type EvalPass,
  type EvalRequest,
} from '../reproduce/state.js';
import { evalRuns, type EvalJson } from './eval.js';
import { chooseBackend, configFromFlags, MASK_COLLAPSE_EXIT, runTraining, TRAINING_ABORTED_EXIT, type TrainFlags } from './train.js';
import { parseEpsList, writeFigure } from './viz.js';

/** The attacks of every grid's main evaluation pass (AutoAttack runs separately, on fewer images). */
export const MAIN_ATTACKS = DEFAULT_EVAL_ATTACK_NAMES;

/** Defaults sized for a 2-core CPU machine (hours for Table 1, not days). */
export const REPRODUCE_DEFAULTS = { trainSubset: 2000, epochs: 2, limit: 500, aaLimit: 100, batch: 100 } as const;

/** Options of {@link reproduce} (the command's flags, parsed). */
export interface ReproduceOptions {
  grid: GridName;
  dataset: DatasetName;
  runsDir?: string;
  resultsDir?: string;
  trainSubset?: number;
  epochs?: number;
  /** Test images of the evaluation and of the per-epoch check. */
  limit?: number;
  /** Test images of AutoAttack; 0 skips it (default 200 for Table 1, 0 for the sweeps). */
  aaLimit?: number;
  seeds?: number;
  backend?: string;
  only?: string[];
  /** Training eps: the sweep's list, or one value replacing the preset's for Table 1 and the b sweep. */
  eps?: number[];
  /** The b sweep's values. */
  b?: number[];
  recipe?: string;
  allowMaskCollapse?: boolean;
  /** Delete the selected runs and train them again. */
  force?: boolean;
  /** Evaluation batch. */
  batch?: number;
  apgdIter?: number;
  fabIter?: number;
  squareQueries?: number;
  dataDir?: string;
  download?: boolean;
  /** Where progress lines go (default stdout) and warnings (default stderr). */
  log?: (line: string) => void;
  warn?: (line: string) => void;
}

/** What {@link reproduce} did. */
export interface ReproduceResult {
  report: ReproduceReport;
  files: string[];
  failures: number;
}

/** `75` → `1m15s`, `3725` → `1h02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The options with every default filled in. */
function settle(opts: ReproduceOptions) {
  const eps = opts.eps;
  if (eps && eps.length !== 1 && opts.grid !== 'eps-sweep') {
    throw new CliError(`--eps: ${opts.grid} trains at one eps; give one value (a list is for eps-sweep)`);
  }
  if (opts.b && opts.grid !== 'b-sweep') throw new CliError(`--b: only the b-sweep grid sweeps b`);
  const seeds = opts.seeds ?? DEFAULT_SEEDS[opts.grid];
  const cells = gridCells(opts.grid, { dataset: opts.dataset, epsList: opts.grid === 'eps-sweep' ? eps : undefined, bList: opts.b }).map((c) =>
    eps && opts.grid !== 'eps-sweep' ? { ...c, eps: eps[0] } : c,
  );
  return {
    ...opts,
    runsDir: opts.runsDir ?? path.join('runs', 'reproduce', opts.dataset, opts.grid),
    resultsDir: opts.resultsDir ?? path.join('docs', 'results', opts.dataset),
    trainSubset: opts.trainSubset ?? REPRODUCE_DEFAULTS.trainSubset,
    epochs: opts.epochs ?? REPRODUCE_DEFAULTS.epochs,
    limit: opts.limit ?? REPRODUCE_DEFAULTS.limit,
    aaLimit: opts.aaLimit ?? (opts.grid === 'table1' ? REPRODUCE_DEFAULTS.aaLimit : 0),
    seedList: Array.from({ length: seeds }, (_, k) => k),
    recipe: opts.recipe ?? 'cat',
    cells: selectCells(cells, opts.only),
    log: opts.log ?? ((l: string) => process.stdout.write(`${l}\n`)),
    warn: opts.warn ?? ((l: string) => process.stderr.write(`cat-cli: warning: ${l}\n`)),
  };
}
type Settled = ReturnType<typeof settle>;

/** The command line that reproduces these files, every setting spelled out. */
export function commandLine(s: Settled, backend: string): string {
  const list = (v: number[]) => v.map(showNumber).join(',');
  const parts = [
    s.grid, '--dataset', s.dataset, '--train-subset', s.trainSubset, '--epochs', s.epochs, '--limit', s.limit,
    '--aa-limit', s.aaLimit, '--seeds', s.seedList.length, '--recipe', s.recipe, '--backend', backend,
  ].map(String);
  if (s.eps) parts.push('--eps', list(s.eps));
  if (s.b) parts.push('--b', list(s.b));
  if (s.only) parts.push('--only', s.only.join(','));
  if (s.allowMaskCollapse) parts.push('--allow-mask-collapse');
  for (const [flag, v] of [['--apgd-iter', s.apgdIter], ['--fab-iter', s.fabIter], ['--square-queries', s.squareQueries]] as const) {
    if (v !== undefined) parts.push(flag, String(v));
  }
  if (s.dataDir) parts.push('--data-dir', s.dataDir);
  if (s.runsDir !== path.join('runs', 'reproduce', s.dataset, s.grid)) parts.push('--runs-dir', s.runsDir);
  if (s.resultsDir !== path.join('docs', 'results', s.dataset)) parts.push('--results-dir', s.resultsDir);
  return ['cat-cli reproduce', ...parts.map((p) => (/[\s'"$]/.test(p) ? `'${p.replace(/'/g, `'\\''`)}'` : p))].join(' ');
}

/** The trainer's input for a cell at a seed, through the same flag mapping as `cat-cli train`. */
function cellConfig(s: Settled, cell: GridCell, seed: number, backend: string): TrainConfig {
  const flags: TrainFlags = {
    method: cell.method,
    dataset: s.dataset,
    eps: cell.eps,
    b: cell.b,
    ablation: cell.ablation,
    seed,
    out: path.join(s.runsDir, `${cell.name}-seed${seed}`),
    trainSubset: s.trainSubset,
    testSubset: s.limit,
    epochs: s.epochs,
    // 'authors' is the CAT authors' recipe; the baselines keep their own papers' settings ('cat').
    recipe: recipeMethods(s.recipe as RecipeName).includes(cell.method as MethodName) ? s.recipe : 'cat',
    allowMaskCollapse: s.allowMaskCollapse,
    dataDir: s.dataDir,
    download: s.download,
  };
  return resolveConfig(configFromFlags(flags, backend));
}

/** A pass's request: the grid's attacks at the cell's eps. */
function passRequest(s: Settled, pass: EvalPass, eps: number): EvalRequest {
  if (pass === 'main') return { attacks: [...MAIN_ATTACKS], limit: s.limit, eps };
  return { attacks: ['autoattack'], limit: s.aaLimit, eps, apgdIter: s.apgdIter, fabIter: s.fabIter, squareQueries: s.squareQueries };
}

/** One cell at one seed: train (or continue, or skip), evaluate (or skip), and read the results back. */
async function runOne(s: Settled, backend: string, cell: GridCell, seed: number, progress: (what: string) => void): Promise<RunRecord> {
  const dir = path.join(s.runsDir, `${cell.name}-seed${seed}`);
  const t0 = performance.now();
  const record: RunRecord = {
    cell: cell.name,
    seed,
    dir,
    status: 'done',
    epochs: 0,
    accuracies: null,
    images: {},
    lastMask: null,
    trainSeconds: null,
    evalSeconds: null,
    wallSeconds: 0,
    skipped: { training: true, evaluation: true },
    notes: [],
  };
  const fail = (stage: string, err: unknown) => {
    record.status = 'failed';
    record.notes.push({ kind: 'failed', message: `${stage} failed: ${(err as Error)?.message ?? String(err)}` });
  };
  let collapse: Collapse | null = null;
  try {
    const cfg = cellConfig(s, cell, seed, backend);
    const state = trainingState(dir, cfg);
    if (state.kind === 'different' && !s.force) {
      throw new CliError(`${dir} holds a different run (config.json differs in ${state.diffs.join('; ')}); pass --force to train it again, or choose another --runs-dir`);
    }
    if (state.kind === 'collapsed') collapse = state.collapse;
    if (s.force || state.kind === 'fresh' || state.kind === 'partial') {
      record.skipped.training = false;
      progress(state.kind === 'partial' && !s.force ? `training (continuing after epoch ${state.epochs})...` : 'training...');
      if (fs.existsSync(dir)) {
        clearEvaluations(dir);
        writeRunRecord(dir, { ...readRunRecord(dir), collapse: null });
      }
      const tt = performance.now();
      const before = s.force ? 0 : runMetrics(dir).length;
      try {
        const r = await runTraining(cfg, { resume: !s.force && state.kind === 'partial', force: s.force });
        r.f.dispose();
        r.g?.dispose();
      } catch (err) {
        if (!(err instanceof CliError) || err.exitCode !== MASK_COLLAPSE_EXIT) throw err;
        // The stopped epoch's time: the attempt's, less the epochs it finished (they are in the log).
        const done = runMetrics(dir);
        const logged = done.slice(before).reduce((a, m) => a + m.wallSeconds, 0);
        collapse = { epoch: done.length + 1, message: err.message, seconds: Math.max(0, (performance.now() - tt) / 1000 - logged) };
        writeRunRecord(dir, { ...readRunRecord(dir), collapse });
      }
    }
  } catch (err) {
    // Ctrl-C stops the whole reproduction; it continues from here next time.
    if (err instanceof CliError && err.exitCode === TRAINING_ABORTED_EXIT) throw err;
    fail('training', err);
  }

  const results: Partial<Record<EvalPass, EvalJson>> = {};
  if (record.status !== 'failed' && hasCheckpoint(dir)) {
    const passes: EvalPass[] = s.aaLimit > 0 ? ['main', 'autoattack'] : ['main'];
    for (const pass of passes) {
      const request = passRequest(s, pass, cell.eps);
      const done = finishedEval(dir, pass, request, s.dataset);
      if (done) {
        results[pass] = done;
        continue;
      }
      record.skipped.evaluation = false;
      progress(pass === 'main' ? `evaluating (${MAIN_ATTACKS.join(', ')} on ${request.limit} images)...` : `evaluating (AutoAttack on ${request.limit} images)...`);
      const te = performance.now();
      try {
        const out = await evalRuns([dir], {
          attacks: request.attacks,
          limit: request.limit,
          eps: request.eps,
          batch: s.batch ?? REPRODUCE_DEFAULTS.batch,
          backend: backend as never,
          sanity: pass === 'main',
          apgdIter: request.apgdIter,
          fabIter: request.fabIter,
          squareQueries: request.squareQueries,
          out: pass === 'main' ? undefined : evalDir(dir, pass),
          // The per-attack lines; the one-row table and file list are in the run dir's eval.md.
          log: (l) => {
            if (l !== '' && !l.includes('\n') && !l.startsWith('wrote ')) s.log(`    ${l}`);
          },
        });
        results[pass] = out.runs[0];
        const rec = readRunRecord(dir);
        writeRunRecord(dir, { ...rec, eval: { ...rec.eval, [pass]: { request, seconds: (performance.now() - te) / 1000 } } });
      } catch (err) {
        fail(`evaluation (${pass === 'main' ? MAIN_ATTACKS.join(', ') : 'AutoAttack'})`, err);
        break;
      }
    }
  }

  // Read back what the run dir holds now.
  const metrics = fs.existsSync(dir) ? runMetrics(dir) : [];
  record.epochs = metrics.length;
  // Every epoch's wall time, and the time of an attempt the collapse guard stopped (its epoch never made it into the log).
  const trained = metrics.reduce((a, m) => a + (m.wallSeconds ?? 0), 0) + (collapse?.seconds ?? 0);
  record.trainSeconds = metrics.length > 0 || collapse ? trained : null;
  const last = metrics[metrics.length - 1] as { mask?: unknown } | undefined;
  record.lastMask = readMask(last?.mask);
  if (results.main) {
    record.accuracies = {};
    for (const [pass, r] of Object.entries(results) as [EvalPass, EvalJson][]) {
      for (const a of r.attacks) {
        if (pass === 'autoattack' && a.name === 'natural') continue;
        record.accuracies[a.name] = a.accuracy;
        record.images[a.name] = r.n;
      }
    }
    const rec = readRunRecord(dir);
    const seconds = (pass: EvalPass, r: EvalJson) => rec.eval?.[pass]?.seconds ?? r.attacks.reduce((a, x) => a + x.seconds, 0);
    record.evalSeconds = (Object.entries(results) as [EvalPass, EvalJson][]).reduce((a, [pass, r]) => a + seconds(pass, r), 0);
  }
  const sanity: SanityFinding[] = results.main?.sanity ?? [];
  const failures = record.notes;
  record.notes = [...runNotes({ metrics, collapse, accuracies: record.accuracies, sanity }), ...failures];
  if (record.status !== 'failed' && collapse) record.status = 'mask-collapse';
  record.wallSeconds = (performance.now() - t0) / 1000;
  return record;
}

/** Trains and evaluates the grid, then writes its tables (and charts). */
export async function reproduce(opts: ReproduceOptions): Promise<ReproduceResult> {
  const started = performance.now();
  const s = settle(opts);
  const backend = chooseBackend(s.backend, (l) => s.warn(l));
  const jobs = s.cells.flatMap((cell) => s.seedList.map((seed) => ({ cell, seed })));
  const configs = new Map(s.cells.map((c) => [c.name, cellConfig(s, c, 0, backend)]));
  s.log(
    `reproducing ${s.grid} on ${s.dataset}: ${s.cells.length} cell(s) x ${s.seedList.length} seed(s) = ${jobs.length} run(s) in ${s.runsDir}, ` +
      `${s.trainSubset} training images, ${s.epochs} epoch(s), evaluation on ${s.limit} test images` +
      (s.aaLimit > 0 ? ` (AutoAttack on ${s.aaLimit})` : '') +
      `, backend ${backend}`,
  );
  const records = new Map<string, RunRecord[]>();
  let worked = 0;
  let workedSeconds = 0;
  for (const [i, { cell, seed }] of jobs.entries()) {
    const tag = `[${i + 1}/${jobs.length}] ${cell.name} seed ${seed}`;
    const r = await runOne(s, backend, cell, seed, (what) => s.log(`${tag}: ${what}`));
    records.set(cell.name, [...(records.get(cell.name) ?? []), r]);
    const didWork = !r.skipped.training || !r.skipped.evaluation;
    if (didWork) {
      worked++;
      workedSeconds += r.wallSeconds;
    }
    const elapsed = (performance.now() - started) / 1000;
    const left = jobs.length - i - 1;
    const eta = left === 0 ? '0s' : worked > 0 ? formatDuration((workedSeconds / worked) * left) : '?';
    const what =
      r.status === 'failed'
        ? 'FAILED'
        : `${r.status === 'mask-collapse' ? 'stopped, mask collapsed; ' : ''}${didWork ? `done in ${r.wallSeconds.toFixed(1)}s` : 'skipped (done)'}`;
    s.log(`${tag}: ${what} (elapsed ${formatDuration(elapsed)}, ETA ${eta})`);
    for (const n of r.notes) s.warn(`${cell.name} seed ${seed}: ${n.message}`);
  }

  const attackKeys = [...MAIN_ATTACKS, ...(s.aaLimit > 0 ? ['autoattack'] : [])];
  const columns = tableColumns(s.grid, attackKeys);
  const rows: ReproduceRow[] = s.cells.map((cell) => {
    const runs = records.get(cell.name) ?? [];
    return { cell, settings: describeTraining(configs.get(cell.name)!), values: aggregateRuns(runs, columns, attackKeys), runs };
  });
  const all = rows.flatMap((r) => r.runs);
  const failures = all.filter((r) => r.status === 'failed').length;
  const first = configs.get(s.cells[0].name)!;
  const budgetEps = s.grid === 'eps-sweep' ? ('training eps of each cell' as const) : s.cells[0].eps;
  // The sweep's attacks are described at its largest eps (steps and step sizes do not depend on eps).
  const ctx = { eps: Math.max(...s.cells.map((c) => c.eps)), dataset: s.dataset, apgdIter: s.apgdIter, fabIter: s.fabIter, squareQueries: s.squareQueries };
  const report: ReproduceReport = {
    format: REPRODUCE_JSON_FORMAT,
    version: 1,
    grid: s.grid,
    dataset: s.dataset,
    command: commandLine(s, backend),
    date: new Date().toISOString(),
    backend,
    settings: {
      trainSubset: s.trainSubset,
      epochs: s.epochs,
      limit: s.limit,
      aaLimit: s.aaLimit,
      seeds: s.seedList,
      recipe: s.recipe,
      optimizer: `${first.optimizer} lr ${showNumber(first.lr)}, batch ${first.batch}`,
    },
    budget: { eps: budgetEps, attacks: attackKeys.map((key) => ({ key, header: columns.find((c) => c.key === key)!.header, description: describeEvalAttack(key, ctx) })) },
    std: 'sample standard deviation, n - 1 (numpy ddof=1); 0 for one seed',
    columns,
    rows,
    warnings: all.flatMap((r) => r.notes.map((n) => `${r.cell} seed ${r.seed}: ${n.message}`)),
    failures,
    timing: {
      trainSeconds: all.reduce((a, r) => a + (r.trainSeconds ?? 0), 0),
      evalSeconds: all.reduce((a, r) => a + (r.evalSeconds ?? 0), 0),
      invocationSeconds: (performance.now() - started) / 1000,
    },
  };

  const files = await writeReport(s.resultsDir, report);
  const text = tableToText({
    columns: columns.map((c) => c.header),
    keys: columns.map((c) => c.key),
    rows: rows.map((r) => ({
      label: `${r.cell.name}${r.runs.some((x) => x.notes.some((n) => n.kind !== 'sanity')) ? ' (!)' : ''}`,
      runs: r.runs.length,
      cells: columns.map((c) => r.values[c.key]),
    })),
  });
  s.log('');
  s.log(text.trimEnd());
  if (report.warnings.length > 0) s.log(`\n(!) ${report.warnings.length} warning(s): see the notes in ${files[0]}`);
  for (const f of files) s.log(`wrote ${f}`);
  s.log(`${jobs.length} run(s) in ${formatDuration(report.timing.invocationSeconds)}${failures > 0 ? `; ${failures} FAILED` : ''}`);
  return { report, files, failures };
}

/** Writes `<grid>.md` and `<grid>.json` (and for the sweeps `<grid>.png` / `.svg`) into `dir`. */
export async function writeReport(dir: string, report: ReproduceReport): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const md = path.join(dir, `${report.grid}.md`);
  const json = path.join(dir, `${report.grid}.json`);
  fs.writeFileSync(md, reportMarkdown(report));
  fs.writeFileSync(json, `${JSON.stringify(report, null, 1)}\n`);
  const files = [md, json];
  if (report.grid !== 'table1') {
    const points = sweepPoints(report.grid, report.rows);
    if (points.length > 0) {
      const xTitle = report.grid === 'eps-sweep' ? 'training eps (evaluated at the same eps)' : 'b (weight of the mask CE in L_g)';
      const title = report.grid === 'eps-sweep' ? `${report.dataset}: accuracy against the training eps` : `${report.dataset}: CAT-cent's b`;
      files.push(...writeFigure(dir, report.grid, await renderVegaLite(sweepChartSpec(points, { xTitle, title }))));
    }
  }
  return files;
}

/** `0.05,0.1` → numbers (eps lists accept `8/255`). */
function numberList(flag: string) {
  return (text: string): number[] => {
    try {
      return parseEpsList(text);
    } catch {
      throw new CliError(`${flag}: expected comma-separated numbers in [0,1] like 0.05,0.1, got '${text}'`);
    }
  };
}

interface ReproduceFlags extends Omit<ReproduceOptions, 'grid' | 'log' | 'warn' | 'only'> {
  only?: string;
  testSubset?: number;
}

/** Registers `reproduce` on the program. */
export function registerReproduce(program: Command): void {
  const pos = numberArg({ integer: true, min: 1 });
  const d = REPRODUCE_DEFAULTS;
  program
    .command('reproduce')
    .description(
      "reproduce the paper's comparison with one command: table1 (natural, AT, TRADES, MART, FAT, CAT-cent, CAT-cw, CAT-cent A1/A2; 3 seeds), " +
        'eps-sweep (Figure 3: CAT-cent, AT, TRADES at several training eps) or b-sweep (Table 8: CAT-cent at several b). ' +
        'Each cell and seed is a run dir under --runs-dir, evaluated under one attack budget (FGSM, PGD-20, PGD-100, CW-inf, AutoAttack); ' +
        'tables (mean ± std over seeds) and charts go to --results-dir. Finished runs and evaluations are skipped, partial runs resume; ' +
        'runs with a collapsed CAT mask or an attack that found nothing are marked. Exits non-zero when a run failed.',
    )
    .argument('<grid>', `${GRID_NAMES.join(', ')}`, choiceArg(GRID_NAMES))
    .option('--dataset <name>', `data set: ${DATASET_NAMES.join(', ')} (its preset's eps is the budget: ${['mnist-digits', 'fashion-mnist'].map((n) => `${n} ${showNumber(PRESETS[n as DatasetName].eps)}`).join(', ')})`, choiceArg(DATASET_NAMES), 'mnist-digits')
    .option('--train-subset <n>', `training images, a class-balanced subset (default ${d.trainSubset})`, pos)
    .option('--epochs <n>', `epochs of every run (default ${d.epochs})`, pos)
    .option('--limit <n>', `test images of the evaluation and of the per-epoch check (default ${d.limit})`, pos)
    .option('--test-subset <n>', 'the same as --limit', pos)
    .option('--aa-limit <n>', `test images of AutoAttack, 0 for none (default table1 ${d.aaLimit}, the sweeps 0)`, numberArg({ integer: true, min: 0 }))
    .option('--seeds <n>', 'seeds 0..n-1 of every cell (default table1 3, the sweeps 1)', pos)
    .option('--only <cells>', 'comma-separated cells (or methods) to run, e.g. natural,cat-cent (default all)')
    .option('--eps <list>', 'eps-sweep: the training eps (default mnist 0.1,0.2,0.3,0.4, fashion-mnist 0.05,0.1,0.15,0.2, cifar 8..16/255); table1 and b-sweep: one eps replacing the preset\'s', numberList('--eps'))
    .option('--b <list>', 'b-sweep: the values of b (default 0.05,0.1,0.2,0.3)', numberList('--b'))
    .option('--recipe <name>', `training recipe of every cell: ${RECIPE_NAMES.join(', ')} (default cat; see cat-cli train --help)`, choiceArg(RECIPE_NAMES))
    .option('--allow-mask-collapse', 'CAT: go on training when the mask collapses (the run is marked either way)')
    .option('--runs-dir <dir>', 'where the run dirs go (default runs/reproduce/<dataset>/<grid>)')
    .option('--results-dir <dir>', 'where the tables and charts go (default docs/results/<dataset>)')
    .option('--backend <name>', 'tfjs backend (default native when built, else cpu)', choiceArg(BACKEND_NAMES))
    .option('--force', 'delete the selected runs and train (and evaluate) them again')
    .option('--batch <n>', `evaluation batch (default ${d.batch})`, pos)
    .option('--apgd-iter <n>', 'AutoAttack: APGD iterations (default 100)', pos)
    .option('--fab-iter <n>', 'AutoAttack: FAB-T iterations (default 100)', pos)
    .option('--square-queries <n>', 'AutoAttack: Square queries (default 5000)', pos)
    .option('--data-dir <dir>', "folder with the dataset's standard files")
    .option('--download', 'download missing standard files into the cache')
    .action(async (grid: GridName, flags: ReproduceFlags) => {
      if (flags.limit !== undefined && flags.testSubset !== undefined && flags.limit !== flags.testSubset) {
        throw new CliError('--limit and --test-subset are the same setting; give one');
      }
      const { testSubset, only, ...rest } = flags;
      const r = await reproduce({
        ...rest,
        grid,
        limit: flags.limit ?? testSubset,
        only: only?.split(',').map((x) => x.trim()).filter((x) => x !== ''),
      });
      if (r.failures > 0) throw new CliError(`${r.failures} run(s) failed; the tables record them (${r.files[0]})`, 1);
    });
}
