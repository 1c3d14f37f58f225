/**
 * `cat-cli eval RUN_DIR...`: the paper's table (Natural, FGSM, PGD-20, PGD-100, CW-inf, Square,
 * AutoAttack, Avg) for one or more runs, mean ± std over runs that differ only in their seed, or
 * for model files (a tfjs model directory, a PyTorch state dict as safetensors: see eval-model.ts),
 * AutoAttack's per-stage log as the reference prints it, an optional sanity check (gradient
 * masking, and AutoAttack's own checks on the model), and eval.md / eval.json / robustbench.json
 * files (the last with RobustBench's field names).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import * as tf from '@tensorflow/tfjs';
import {
  AUTOATTACK_NAME_VERSIONS,
  AUTOATTACK_STAGES,
  AUTOATTACK_VERSIONS,
  AutoAttack,
  asClassifier,
  attackNamesWithNorm,
  autoAttackLog,
  autoAttackName,
  availableBackends,
  BACKEND_NAMES,
  createEvalAttack,
  evalL2Eps,
  describeEvalAttackNames,
  EVAL_SUITES,
  evaluate,
  CLASSIFIER_ARCHS,
  DATASET_NAMES,
  loadDataset,
  modelChecks,
  paperTable,
  parseAutoAttackStages,
  parseEvalAttackList,
  sanityCheck,
  tableToJson,
  tableToMarkdown,
  tableToText,
  useBackend,
  type AutoAttackStage,
  type AutoAttackVersion,
  type BackendName,
  type EvalProgress,
  type EvalResult,
  type EvalSuite,
  type ImageSet,
  type Norm,
  type PaperTable,
  type SanityFinding,
} from '@cat/core';
import { loadRun, type LoadedRun } from '@cat/trainer';
import { CliError } from '../errors.js';
import { choiceArg, normArg, numberArg } from '../options.js';
import { loadModelInput, numberListArg, type ModelInput, type ModelInputFlags } from './eval-model.js';

/** Format tag of eval.json. */
export const EVAL_JSON_FORMAT = 'cat-eval';

/** What eval.json holds for one run. */
export interface EvalJson {
  format: typeof EVAL_JSON_FORMAT;
  version: 1;
  run: string;
  label: string;
  /** null for a model file. */
  checkpoint: 'best' | 'last' | null;
  /** Epochs the evaluated checkpoint had trained (null for a model file). */
  epoch: number | null;
  dataset: string;
  /** The run's training method, or the model file's format. */
  method: string;
  seed: number | null;
  /** Only for a model file: its format, architecture and input normalisation. */
  model?: { format: ModelInput['format']; arch: string; normalization?: ModelInput['normalization'] };
  eps: number;
  /** The threat model of `--norm`, written only when it is not L-inf. */
  norm?: Norm;
  /** Test images evaluated. */
  n: number;
  backend: string;
  attacks: EvalResult['accuracies'];
  sanity: SanityFinding[];
  /** The same evaluation under RobustBench's field names (see {@link robustBenchEntry}). */
  robustbench: RobustBenchEntry;
  evaluatedAt: string;
}

/**
 * One model's entry with the field names of RobustBench's `model_info` files (accuracies in
 * percent and eps as strings, as they write them), plus the threat model and test-set size that
 * RobustBench keeps in its paths and its `benchmark(n_examples=...)` call.
 */
export interface RobustBenchEntry {
  name: string;
  dataset: string;
  threat_model: Norm;
  norm: Norm;
  /** `8/255` when eps is a whole number of 255ths, else the decimal. */
  eps: string;
  architecture: string;
  additional_data: boolean;
  number_forward_passes: number;
  clean_acc: string;
  /** Robust accuracy under AutoAttack (the standard version when it ran, else the version that did). */
  autoattack_acc?: string;
  autoattack_version?: AutoAttackVersion;
  /** Only with --sanity: whether any check fired. */
  unreliable?: boolean;
  n_examples: number;
}

/** Options of {@link evalRuns} (the command's flags, parsed; the model-file flags only for model files). */
export interface EvalRunOptions extends ModelInputFlags {
  attacks?: string[];
  suite?: EvalSuite;
  limit?: number;
  batch?: number;
  backend?: BackendName;
  sanity?: boolean;
  out?: string;
  eps?: number;
  /** Threat model of every attack that does not set its own (`:norm=`); one without it is refused. */
  norm?: Norm;
  checkpoint?: 'best' | 'last';
  seed?: number;
  squareQueries?: number;
  apgdIter?: number;
  fabIter?: number;
  targets?: number;
  /** AutoAttack version that the name `autoattack` stands for (default standard). */
  aaVersion?: AutoAttackVersion;
  /** Stages of the custom version (implies aaVersion custom). */
  aaAttacks?: AutoAttackStage[];
  /** Restarts of APGD-CE, APGD-DLR and FAB (default: the version's). */
  restarts?: number;
  /** Square's initial window fraction (default 0.8). */
  squarePInit?: number;
  /** Where lines go (default stdout). */
  log?: (line: string) => void;
  /** Progress bar stream (default stderr; bars only on a TTY). */
  progressStream?: NodeJS.WriteStream;
}

/** The outcome of {@link evalRuns}. */
export interface EvalRunsResult {
  runs: EvalJson[];
  table: PaperTable;
  sanity: SanityFinding[];
  /** Files written. */
  files: string[];
}

/**
 * Checks an attack list: every name the attack registry accepts (see `parseEvalAttackList` in
 * @cat/core, the one list of names), no duplicates.
 */
export function parseAttackList(text: string): string[] {
  try {
    return parseEvalAttackList(text);
  } catch (err) {
    throw new CliError(`--attacks: ${(err as Error).message}`);
  }
}

/** Row label and grouping key of a run: runs differing only in seed (and paths) share a row. */
function groupOf(run: LoadedRun): { key: string; label: string } {
  const { seed: _s, out: _o, backend: _b, ...rest } = run.config as unknown as Record<string, unknown>;
  return { key: JSON.stringify(rest), label: `${run.config.method} (${run.config.arch}, train eps ${Number(run.config.eps.toFixed(4))})` };
}

function progressBar(stream: NodeJS.WriteStream | undefined, title: string) {
  const s = stream ?? process.stderr;
  if (!s.isTTY) {
    // No bar without a terminal (logs, CI): one line per finished attack instead.
    return {
      update: (p: EvalProgress) => {
        if (p.done === p.total) s.write(`${title}: ${p.attack} done (${p.attackIndex + 1}/${p.attackCount})\n`);
      },
      stop: () => {},
    };
  }
  let bar: cliProgress.SingleBar | null = null;
  let current = '';
  const started = new Map<string, number>();
  const stop = () => {
    bar?.stop();
    bar = null;
  };
  return {
    update(p: EvalProgress) {
      if (p.attack !== current) {
        stop();
        current = p.attack;
        started.set(p.attack, performance.now());
        bar = new cliProgress.SingleBar(
          {
            stream: s,
            format: `${title} ${p.attackIndex + 1}/${p.attackCount} {attack} [{bar}] {value}/{total} images | {rate} img/s | ETA {eta_formatted}`,
            hideCursor: true,
            etaBuffer: 10,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.total, 0, { attack: p.attack.padEnd(10), rate: '-' });
      }
      const secs = (performance.now() - (started.get(p.attack) ?? performance.now())) / 1000;
      bar!.update(p.done, { attack: p.attack.padEnd(10), rate: secs > 0 ? (p.done / secs).toFixed(1) : '-' });
    },
    stop,
  };
}

/**
 * Formats one run's per-attack lines (accuracy, images/s, Square queries), each AutoAttack
 * followed by its breakdown as the reference prints it (`initial accuracy: ...`, `robust accuracy
 * after APGD-CE: ... (total time ... s)`, ..., `robust accuracy: ...`).
 */
export function describeEval(r: EvalJson): string[] {
  const what = r.checkpoint === null ? r.method : `checkpoint ${r.checkpoint} (epoch ${r.epoch})`;
  const lines = [`${r.run}: ${r.model ? r.model.arch : r.method} on ${r.dataset}, ${what}, ${r.norm ? `${r.norm} ` : ''}eps ${r.eps}, ${r.n} images, backend ${r.backend}`];
  const width = Math.max(11, ...r.attacks.map((a) => a.name.length));
  for (const a of r.attacks) {
    let line = `  ${a.name.padEnd(width)} ${(a.accuracy * 100).toFixed(2).padStart(6)}%  ${a.imagesPerSecond.toFixed(1).padStart(8)} img/s`;
    if (a.queries) line += `  queries mean ${a.queries.mean.toFixed(1)} max ${a.queries.max} of ${a.queries.budget}`;
    lines.push(line);
    if (a.stages) {
      const log = autoAttackLog({ version: a.version, initialAccuracy: a.initialAccuracy ?? 0, stages: a.stages });
      lines.push(...log.map((l) => `    ${l}`));
    }
  }
  return lines;
}

/** eps as RobustBench writes it: `8/255` for whole 255ths of an L-inf budget, else the decimal. */
export function robustBenchEps(eps: number, norm: Norm = 'Linf'): string {
  const k = Math.round(eps * 255);
  return norm === 'Linf' && k > 0 && Math.abs(eps * 255 - k) < 1e-6 ? `${k}/255` : String(Number(eps.toPrecision(6)));
}

/**
 * A run's evaluation under RobustBench's field names. `autoattack_acc` comes from the standard
 * AutoAttack when it ran (RobustBench's leaderboards use it), else from the first other version;
 * `unreliable` is set only when the sanity checks ran.
 */
export function robustBenchEntry(
  r: Pick<EvalJson, 'label' | 'dataset' | 'eps' | 'n' | 'attacks' | 'norm'>,
  architecture: string,
  sanity?: SanityFinding[],
): RobustBenchEntry {
  const pct = (v: number) => (v * 100).toFixed(2);
  const natural = r.attacks.find((a) => a.name === 'natural');
  const aa = r.attacks.filter((a) => Object.hasOwn(AUTOATTACK_NAME_VERSIONS, a.name));
  const main = aa.find((a) => a.name === 'autoattack') ?? aa[0];
  return {
    name: r.label,
    dataset: r.dataset,
    threat_model: r.norm ?? 'Linf',
    norm: r.norm ?? 'Linf',
    eps: robustBenchEps(r.eps, r.norm),
    architecture,
    additional_data: false,
    number_forward_passes: 1,
    clean_acc: natural ? pct(natural.accuracy) : '',
    ...(main ? { autoattack_acc: pct(main.accuracy), autoattack_version: AUTOATTACK_NAME_VERSIONS[main.name] } : {}),
    ...(sanity ? { unreliable: sanity.length > 0 } : {}),
    n_examples: r.n,
  };
}

/**
 * The attack names to run: `--attacks` or the suite's, with `autoattack` standing for the
 * version `--aa-version` (or `--aa-attacks`, which means custom) picks.
 */
export function resolveAttackNames(opts: Pick<EvalRunOptions, 'attacks' | 'suite' | 'aaVersion' | 'aaAttacks'>): string[] {
  const names = opts.attacks ?? [...EVAL_SUITES[opts.suite ?? 'paper']];
  if (opts.aaAttacks && opts.aaVersion && opts.aaVersion !== 'custom') {
    throw new CliError(`--aa-attacks makes a custom AutoAttack; it cannot go with --aa-version ${opts.aaVersion}`);
  }
  const version = opts.aaAttacks ? 'custom' : opts.aaVersion;
  if (version === 'custom' && !opts.aaAttacks) throw new CliError('--aa-version custom needs --aa-attacks (the stages to run)');
  if (!version) return names;
  if (!names.includes('autoattack')) {
    throw new CliError(`--aa-${opts.aaAttacks ? 'attacks' : 'version'}: no autoattack in the attack list (use --suite autoattack or add autoattack to --attacks)`);
  }
  const renamed = names.map((n) => (n === 'autoattack' ? autoAttackName(version) : n));
  const dup = renamed.find((n, i) => renamed.indexOf(n) !== i);
  if (dup) throw new CliError(`--aa-version: '${dup}' would be listed twice`);
  return renamed;
}

/**
 * The AutoAttack settings among the attacks, for the model checks: every stage any of them runs,
 * and `rand` when one is the rand version (the model is then taken as randomised).
 */
function autoAttackOf(attacks: { attack: unknown }[]): { version?: AutoAttackVersion; stages: AutoAttackStage[] } {
  const all = attacks.map((a) => a.attack).filter((a): a is AutoAttack => a instanceof AutoAttack);
  return { version: all.some((a) => a.version === 'rand') ? 'rand' : all[0]?.version, stages: [...new Set(all.flatMap((a) => a.stages))] };
}

/** Loads a run, turning failures into one-line CLI errors. */
export async function loadRunForCli(dir: string, checkpoint?: 'best' | 'last'): Promise<LoadedRun> {
  if (!fs.existsSync(dir)) throw new CliError(`${dir}: run directory does not exist`);
  if (!fs.statSync(dir).isDirectory()) throw new CliError(`${dir}: not a directory (expected a run directory with config.json)`);
  try {
    return await loadRun(dir, { checkpoint });
  } catch (err) {
    throw new CliError(`cannot load run ${dir}: ${(err as Error).message}`);
  }
}

/** What evaluating needs of a run directory or a model file. */
interface EvalSubject {
  f: tf.LayersModel;
  g?: tf.LayersModel;
  dataset: string;
  dataDir?: string | null;
  eps: number;
  /** Grouping key and row label (see groupOf; each model file is its own row). */
  key: string;
  label: string;
  arch: string;
  entry: Pick<EvalJson, 'checkpoint' | 'epoch' | 'method' | 'seed' | 'model'>;
  notes: string[];
  /** Where its results go without --out: the run or tfjs model directory, `FILE.eval/` for `FILE.safetensors`. */
  resultDir: string;
}

/** Loads a run directory or a model file (see eval-model.ts) for {@link evalRuns}. */
async function loadSubject(dir: string, opts: EvalRunOptions): Promise<EvalSubject> {
  const m = await loadModelInput(dir, opts);
  if (m) {
    const entry = { checkpoint: null, epoch: null, method: m.format === 'tfjs' ? 'tfjs model' : 'safetensors state dict', seed: null, model: { format: m.format, arch: m.arch, normalization: m.normalization } };
    return { f: m.f, dataset: m.dataset, dataDir: m.dataDir, eps: opts.eps!, key: `model\0${path.resolve(dir)}`, label: m.label, arch: m.arch, entry, notes: m.notes, resultDir: m.format === 'tfjs' ? dir : dir.replace(/\.safetensors$/, '.eval') };
  }
  const run = await loadRunForCli(dir, opts.checkpoint);
  const { key, label } = groupOf(run);
  const entry = { checkpoint: run.checkpoint, epoch: run.state.epoch, method: run.config.method, seed: run.config.seed };
  const eps = opts.eps ?? (opts.norm === 'L2' ? evalL2Eps(run.config.dataset) : run.config.eps);
  if (eps === undefined) throw new CliError(`--norm l2: no L2 budget known for ${run.config.dataset}; give --eps`);
  return { f: run.f, g: run.g, dataset: run.config.dataset, dataDir: run.config.dataDir, eps, key, label, arch: run.config.arch, entry, notes: [], resultDir: dir };
}

/** Loads each run's test set once per data set. */
export async function testSetCache(): Promise<(dataset: string, dataDir?: string | null) => Promise<ImageSet>> {
  const cache = new Map<string, ImageSet>();
  return async (dataset: string, dataDir?: string | null) => {
    const key = `${dataset}\0${dataDir ?? ''}`;
    if (!cache.has(key)) {
      try {
        cache.set(key, (await loadDataset(dataset as never, { dir: dataDir ?? undefined })).test);
      } catch (err) {
        throw new CliError(`cannot load the test set of ${dataset}: ${(err as Error).message}`);
      }
    }
    return cache.get(key)!;
  };
}

/** Makes `backend` (default the best available) active, as a CLI error when it fails. */
export async function selectBackend(backend?: BackendName): Promise<BackendName> {
  const name = backend ?? availableBackends()[0];
  try {
    await useBackend(name);
  } catch (err) {
    throw new CliError(`--backend ${name}: ${(err as Error).message}`);
  }
  return name;
}

/** AutoAttack's model checks on the first `n` images of `set`. */
function checkModel(model: ReturnType<typeof asClassifier>, set: ImageSet, n: number, opts: Parameters<typeof modelChecks>[3]): SanityFinding[] {
  const { height: h, width: w, channels: c } = set;
  const x = tf.tensor4d(set.images.subarray(0, n * h * w * c), [n, h, w, c]);
  const y = tf.tensor1d(set.labels.subarray(0, n), 'int32');
  try {
    return modelChecks(model, x, y, opts);
  } finally {
    tf.dispose([x, y]);
  }
}

/** Evaluates the runs in `dirs`, prints the table, writes eval.md / eval.json / robustbench.json. */
export async function evalRuns(dirs: string[], opts: EvalRunOptions = {}): Promise<EvalRunsResult> {
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  if (dirs.length === 0) throw new CliError('eval: give at least one RUN_DIR or model file');
  const attackNames = resolveAttackNames(opts);
  if (opts.eps !== undefined && opts.eps > 1 && (opts.norm ?? 'Linf') === 'Linf') throw new CliError(`--eps ${opts.eps}: an L-inf budget must be <= 1`);
  const backend = await selectBackend(opts.backend);
  if (opts.out) fs.mkdirSync(opts.out, { recursive: true });

  const runs: EvalJson[] = [];
  const groups = new Map<string, { label: string; runs: EvalResult[] }>();
  const results: EvalResult[] = [];
  const modelFindings: SanityFinding[] = [];
  const files: string[] = [];
  const testSet = await testSetCache();
  for (const dir of dirs) {
    const run = await loadSubject(dir, opts);
    try {
      for (const note of run.notes) log(note);
      const dataset = run.dataset;
      const test = await testSet(dataset, run.dataDir);
      const eps = run.eps;
      const ctx = {
        eps,
        norm: opts.norm,
        dataset,
        seed: opts.seed ?? 0,
        squareQueries: opts.squareQueries,
        apgdIter: opts.apgdIter,
        fabIter: opts.fabIter,
        nTargetClasses: opts.targets,
        restarts: opts.restarts,
        squarePInit: opts.squarePInit,
        aaStages: opts.aaAttacks,
      };
      const attacks = attackNames.map((name) => {
        try {
          return { name, attack: createEvalAttack(name, ctx) };
        } catch (err) {
          throw new CliError(`--attacks: ${(err as Error).message}`);
        }
      });
      // AutoAttack's checks on the model, on the first batch, before attacking it.
      const checks = opts.sanity ? checkModel(asClassifier(run.f), test, Math.min(opts.batch ?? 100, opts.limit ?? test.count, test.count), { ...autoAttackOf(attacks), nTargetClasses: opts.targets }) : [];
      const bar = progressBar(opts.progressStream, path.basename(path.resolve(dir)));
      let result: EvalResult;
      try {
        result = await evaluate(asClassifier(run.f), test, attacks, {
          batchSize: opts.batch ?? 100,
          limit: opts.limit,
          onProgress: (p) => bar.update(p),
        });
      } finally {
        bar.stop();
      }
      const { key, label } = run;
      const g = groups.get(key) ?? { label, runs: [] };
      g.runs.push(result);
      groups.set(key, g);
      results.push(result);
      const sanityFindings = opts.sanity ? [...checks, ...sanityCheck(result)] : [];
      const entry: EvalJson = {
        format: EVAL_JSON_FORMAT,
        version: 1,
        run: dir,
        label,
        ...run.entry,
        dataset,
        eps,
        ...(opts.norm && opts.norm !== 'Linf' ? { norm: opts.norm } : {}),
        n: result.n,
        backend,
        attacks: result.accuracies,
        sanity: sanityFindings,
        robustbench: robustBenchEntry({ label, dataset, eps, norm: opts.norm, n: result.n, attacks: result.accuracies }, run.arch, opts.sanity ? sanityFindings : undefined),
        evaluatedAt: new Date().toISOString(),
      };
      modelFindings.push(...checks.map((f) => ({ ...f, message: `${dir}: ${f.message}` })));
      runs.push(entry);
      for (const line of describeEval(entry)) log(line);
      // Each run keeps its own result next to its checkpoints, unless --out collects them.
      if (!opts.out) {
        fs.mkdirSync(run.resultDir, { recursive: true });
        files.push(...writeEvalFiles(run.resultDir, [entry], paperTable([{ label, runs: [result] }])));
      }
    } finally {
      run.f.dispose();
      run.g?.dispose();
    }
  }

  // Labels must tell rows apart: number clashing ones.
  const labels = new Map<string, number>();
  const rows = [...groups.values()].map((g) => {
    const k = (labels.get(g.label) ?? 0) + 1;
    labels.set(g.label, k);
    return { label: k > 1 ? `${g.label} #${k}` : g.label, runs: g.runs };
  });
  const table = paperTable(rows);
  log('');
  log(tableToText(table).trimEnd());
  const sanity = opts.sanity
    ? [...modelFindings, ...[...groups.values()].flatMap((g) => sanityCheck(g.runs).map((f) => ({ ...f, message: `${g.label}: ${f.message}` })))]
    : [];
  if (opts.sanity) {
    log('');
    if (sanity.length === 0) log('sanity: no signs of gradient masking');
    for (const f of sanity) log(`sanity: WARNING [${f.check}] ${f.message}`);
  }
  if (opts.out) files.push(...writeEvalFiles(opts.out, runs, table, sanity));
  for (const f of files) log(`wrote ${f}`);
  return { runs, table, sanity, files };
}

/** Writes eval.md and eval.json into `dir`; returns their paths. */
export function writeEvalFiles(dir: string, runs: EvalJson[], table: PaperTable, sanity?: SanityFinding[]): string[] {
  const findings = sanity ?? runs.flatMap((r) => r.sanity);
  const md = [
    '# Evaluation',
    '',
    `Accuracy (%) on ${[...new Set(runs.map((r) => r.n))].join('/')} test images, ${[...new Set(runs.map((r) => (r.norm === 'L2' ? 'L2' : 'L-inf')))].join('/')} eps ${[...new Set(runs.map((r) => r.eps))].join('/')}` +
      (runs.length > 1 ? '; several runs of one configuration give mean ± std.' : '.'),
    '',
    tableToMarkdown(table).trimEnd(),
    '',
    '## Throughput',
    '',
    '| Run | Attack | Accuracy (%) | Images/s |',
    '|---|---|---:|---:|',
    ...runs.flatMap((r) => r.attacks.map((a) => `| ${r.run} | ${a.name} | ${(a.accuracy * 100).toFixed(2)} | ${a.imagesPerSecond.toFixed(1)} |`)),
    ...runs.flatMap((r) =>
      r.attacks
        .filter((a) => a.stages)
        .flatMap((a) => ['', `## ${a.name} on ${r.run}`, '', '```', ...autoAttackLog({ version: a.version, initialAccuracy: a.initialAccuracy ?? 0, stages: a.stages! }), '```']),
    ),
    ...(findings.length > 0 ? ['', '## Sanity check', '', ...findings.map((f) => `- **${f.check}**: ${f.message}`)] : []),
    '',
  ].join('\n');
  const json = { format: EVAL_JSON_FORMAT, version: 1, table: tableToJson(table), runs, sanity: findings };
  const mdFile = path.join(dir, 'eval.md');
  const jsonFile = path.join(dir, 'eval.json');
  // RobustBench keeps one model per model_info file: one object for one run, a list for several.
  const rbFile = path.join(dir, 'robustbench.json');
  const rb = runs.length === 1 ? runs[0].robustbench : runs.map((r) => r.robustbench);
  fs.writeFileSync(mdFile, md);
  fs.writeFileSync(jsonFile, JSON.stringify(json, null, 1) + '\n');
  fs.writeFileSync(rbFile, JSON.stringify(rb, null, 2) + '\n');
  return [mdFile, jsonFile, rbFile];
}

/** Reads an eval.json written by `cat-cli eval` (errors name the file). */
export function readEvalJson(file: string): { runs: EvalJson[]; sanity: SanityFinding[] } {
  let data: any;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`${file}: cannot read eval results (${(err as Error).message})`);
  }
  if (data?.format !== EVAL_JSON_FORMAT || !Array.isArray(data.runs)) {
    throw new CliError(`${file}: not a cat-cli eval result (expected "format": "${EVAL_JSON_FORMAT}" and a "runs" list)`);
  }
  return { runs: data.runs, sanity: data.sanity ?? [] };
}

function parseAaAttacks(text: string): AutoAttackStage[] {
  try {
    return parseAutoAttackStages(text);
  } catch (err) {
    throw new CliError(`--aa-attacks: ${(err as Error).message}`);
  }
}

/** The command's flags: the options of {@link evalRuns} but where lines go. */
type EvalFlags = Omit<EvalRunOptions, 'log'>;

/** Registers `eval` on the program. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('evaluate runs or model files against FGSM, PGD-20/100, CW-inf, Square and AutoAttack; print and write the paper table')
    .argument(
      '<run-dirs...>',
      'run directories (several seeds of one configuration give mean ± std), tfjs model directories (model.json) or PyTorch state dicts saved as .safetensors (with --arch); model files need --dataset and --eps',
    )
    .option('--attacks <list>', `comma-separated attacks (${describeEvalAttackNames()}); overrides --suite`, parseAttackList)
    .option('--suite <name>', `paper (${EVAL_SUITES.paper.join(',')}) or autoattack (the version of --aa-version)`, choiceArg(Object.keys(EVAL_SUITES)), 'paper')
    .option('--limit <n>', 'evaluate the first N test images', numberArg({ integer: true, min: 1 }))
    .option('--batch <n>', 'images per batch (default 100)', numberArg({ integer: true, min: 1 }))
    .option('--backend <name>', 'tfjs backend: native, cpu, wasm, tensorflow (default: the best available)', choiceArg(BACKEND_NAMES))
    .option('--eps <eps>', "budget in the --norm (default: the run's training eps; with --norm l2, RobustBench's L2 eps: 0.5 CIFAR, 2 MNIST)", numberArg({ min: 0 }))
    .option('--norm <norm>', `threat model of every attack that has it: linf (default) or l2 (${attackNamesWithNorm('L2').join(', ')}); an attack without it is refused`, normArg)
    .option('--checkpoint <which>', 'best or last (default best, else last)', choiceArg(['best', 'last']))
    .option('--seed <n>', 'seed of the attacks’ random streams (default 0)', numberArg({ integer: true, min: 0 }))
    .option('--square-queries <n>', 'Square query budget (default 5000)', numberArg({ integer: true, min: 1 }))
    .option('--apgd-iter <n>', 'APGD iterations in AutoAttack (default 100)', numberArg({ integer: true, min: 1 }))
    .option('--fab-iter <n>', 'FAB and FAB-T iterations in AutoAttack (default 100)', numberArg({ integer: true, min: 1 }))
    .option('--targets <n>', 'target classes of APGD-T and FAB-T (default 9)', numberArg({ integer: true, min: 1 }))
    .option(
      '--aa-version <version>',
      "AutoAttack version that autoattack runs: standard, plus (+ APGD-DLR, FAB, 5 restarts), rand (EOT over 20 draws, for randomised defences) or custom (with --aa-attacks)",
      choiceArg(AUTOATTACK_VERSIONS),
    )
    .option('--aa-attacks <list>', `stages of a custom AutoAttack, in order: ${AUTOATTACK_STAGES.join(', ')}`, parseAaAttacks)
    .option('--restarts <n>', "restarts of APGD-CE, APGD-DLR and FAB (default: the AutoAttack version's; 1 alone)", numberArg({ integer: true, min: 1 }))
    .option('--square-p-init <p>', "Square's initial window fraction (default 0.8)", numberArg({ min: 0, max: 1 }))
    .option('--sanity', "check for signs of gradient masking, and run AutoAttack's checks on the model")
    .option('--arch <name>', `architecture of a .safetensors state dict: ${CLASSIFIER_ARCHS.join(', ')} (wide-resnet's depth and width are read from the file)`, choiceArg(CLASSIFIER_ARCHS))
    .option('--dataset <name>', `test set of a model file, which fixes its image shape and classes: ${DATASET_NAMES.join(', ')}`, choiceArg(DATASET_NAMES))
    .option('--data-dir <dir>', "directory of a model file's data set (default: the data set's usual place)")
    .option('--mean <list>', "input normalisation of a .safetensors state dict, per channel (default: the file's mu buffer, else 0)", numberListArg)
    .option('--std <list>', "input normalisation of a .safetensors state dict, per channel (default: the file's sigma buffer, else 1)", numberListArg)
    .option('--out <dir>', 'write eval.md, eval.json and robustbench.json here (default: into each run or tfjs model dir, into FILE.eval/ for FILE.safetensors)')
    .action(async (dirs: string[], flags: EvalFlags) => {
      await evalRuns(dirs, flags);
    });
}
