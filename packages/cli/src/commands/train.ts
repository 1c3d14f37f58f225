/**
 * `cat-cli train`: train one run (any method, any dataset) with defaults from the dataset's
 * preset, progress bars, per-epoch summaries, and crash-safe checkpoints in `--out`.
 */
import type { Command } from 'commander';
import { availableBackends, CLASSIFIER_ARCHS, MASK_ARCHS, METHOD_NAMES, METHOD_SETTINGS, RECIPES, type MethodSetting } from '@cat/core';
import {
  BACKEND_NAMES,
  ConfigError,
  DATASET_NAMES,
  DivergenceError,
  MaskCollapseError,
  PRESETS,
  presetFor,
  RECIPE_NAMES,
  RunDirError,
  train,
  TrainingAbortedError,
  type DistributedMode,
  type MethodSettings,
  type Preset,
  type TrainConfigInput,
  type TrainResult,
} from '@cat/trainer';
import { CliError } from '../errors.js';
import { choiceArg, flagOf, messageWithFlag, numberArg, showNumber } from '../options.js';
import { trainProgress } from '../progress.js';

/** `--milestones 100,120` → [100, 120]. */
function milestonesArg(value: string): number[] {
  const parse = numberArg({ min: 1, integer: true });
  return value.split(',').map((part) => parse(part));
}

/** A preset's value for MNIST-like sets and for CIFAR: "mnist 0.3, fashion-mnist 0.1, cifar 8/255". */
function presetValues(value: (p: Readonly<Preset>) => unknown): string {
  const show = (v: unknown) => (typeof v === 'number' ? showNumber(v) : v === null ? 'none' : String(v));
  const [m, f, c, c100] = (['mnist', 'fashion-mnist', 'cifar10', 'cifar100'] as const).map((d) => show(value(PRESETS[d])));
  if (m === f && m === c && m === c100) return m;
  const parts = [`mnist ${m}`];
  if (f !== m) parts.push(`fashion-mnist ${f}`);
  parts.push(c100 === c ? `cifar ${c}` : `cifar10 ${c}, cifar100 ${c100}`);
  return parts.join(', ');
}

/** Help text: the preset's value of a trainer setting. */
function presetDefault(key: 'lr' | 'epochs' | 'batch' | 'arch' | 'maskArch'): string {
  return `(default from the preset: ${presetValues((p) => p[key])})`;
}

/** What the CLI adds to a setting's declared help. */
const FLAG_NOTES: Readonly<Record<string, string>> = { alpha: 'scales with --eps when not given' };

/**
 * Help text of a method setting, from its declaration: the declarers' help, the default under
 * the default recipe (of its first declarer) and SPEC.md's where that differs.
 */
function settingHelp(s: MethodSetting): string {
  const helps = [...new Set([...s.declared.values()].map((d) => d.spec.help))].join('; ');
  const owner = s.methods[0];
  const under = (recipe: 'cat' | 'spec') => presetValues((p) => presetFor(datasetOf(p), owner, recipe)[s.key as keyof Preset]);
  const cat = under('cat');
  const spec = under('spec');
  const note = FLAG_NOTES[s.key] ? `; ${FLAG_NOTES[s.key]}` : '';
  if (cat === 'false' && spec === 'false') return `${helps}${note}`;
  const where = cat.includes(' ') ? 'default from the preset: ' : 'default ';
  return `${helps} (${where}${cat}${spec !== cat ? `; SPEC.md: ${spec}` : ''})${note}`;
}

/** The data set a preset object belongs to (PRESETS is keyed by data set). */
function datasetOf(p: Readonly<Preset>): keyof typeof PRESETS {
  return (Object.keys(PRESETS) as (keyof typeof PRESETS)[]).find((d) => PRESETS[d] === p)!;
}

/** Registers a method setting's flag(s): its parser comes from its declared type and range. */
function addSettingFlag(cmd: Command, s: MethodSetting): void {
  const spec = [...s.declared.values()][0].spec;
  const flag = flagOf(s.key);
  const help = settingHelp(s);
  switch (spec.type) {
    case 'boolean':
      cmd.option(flag, help);
      // `--no-x` for a switch that some default turns on (commander leaves x unset when both exist).
      if ([...s.declared.keys()].some((m) => presetFor('mnist', m, 'cat')[s.key as keyof Preset] === true || presetFor('cifar10', m, 'cat')[s.key as keyof Preset] === true)) {
        cmd.option(`--no-${flag.slice(2)}`, `the opposite of ${flag}`);
      }
      return;
    case 'choice':
      cmd.option(`${flag} <kind>`, help, choiceArg(Object.keys(spec.choices ?? {})));
      return;
    default: {
      const min = spec.min === undefined ? undefined : spec.exclusiveMin && spec.min === 0 ? Number.MIN_VALUE : spec.min;
      const max = spec.max === undefined ? undefined : spec.exclusiveMax ? spec.max - 1e-9 : spec.max;
      cmd.option(`${flag} <${spec.type === 'integer' ? 'n' : 'number'}>`, help, numberArg({ min, max, integer: spec.type === 'integer' }));
    }
  }
}

/** Flags shared by train and demo: how the run is set up (the methods' settings as declared). */
export interface TrainFlags extends Partial<MethodSettings> {
  method?: string;
  dataset?: string;
  arch?: string;
  maskArch?: string;
  epochs?: number;
  batch?: number;
  lr?: number;
  seed?: number;
  out?: string;
  backend?: string;
  trainSubset?: number;
  testSubset?: number;
  evalSteps?: number;
  optimizer?: string;
  momentum?: number;
  weightDecay?: number;
  milestones?: number[];
  recipe?: string;
  allowMaskCollapse?: boolean;
  resume?: boolean;
  force?: boolean;
  distributed?: DistributedMode;
  dataDir?: string;
  download?: boolean;
}

/** The backend to use: the flag, else native when its addon is built, else cpu (with a note). */
export function chooseBackend(flag: string | undefined, note: (s: string) => void): string {
  if (flag !== undefined) return flag;
  if (availableBackends().includes('native')) return 'native';
  note('the native backend is not built (run `pnpm build` in native/); using the much slower cpu backend');
  return 'cpu';
}

/** Exit code of a run that stopped because the CAT mask collapsed (a MaskCollapseError). */
export const MASK_COLLAPSE_EXIT = 4;
/** Exit code of a run stopped by Ctrl-C / SIGTERM (a TrainingAbortedError). */
export const TRAINING_ABORTED_EXIT = 130;

/** Turn the trainer's typed errors into one-line CLI errors with their exit codes. */
export function asCliError(err: unknown): unknown {
  if (err instanceof ConfigError) return new CliError(messageWithFlag(err.key, err.message), 2);
  if (err instanceof RunDirError) return new CliError(err.message, 2);
  if (err instanceof DivergenceError) return new CliError(err.message, 3);
  if (err instanceof MaskCollapseError) return new CliError(err.message, MASK_COLLAPSE_EXIT);
  if (err instanceof TrainingAbortedError) return new CliError(err.message, TRAINING_ABORTED_EXIT);
  return err;
}

/** Run training with CLI niceties: progress, SIGINT/SIGTERM stop after the current step. */
export async function runTraining(input: TrainConfigInput, flags: Pick<TrainFlags, 'resume' | 'force' | 'distributed'>): Promise<TrainResult> {
  const ac = new AbortController();
  const onSignal = () => ac.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = trainProgress();
  try {
    return await train(input, { resume: flags.resume, force: flags.force, distributed: flags.distributed, signal: ac.signal, onProgress: progress.onProgress });
  } catch (err) {
    throw asCliError(err);
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Register the run-setup flags on a command (train and demo share them). */
export function addRunFlags(cmd: Command, defaults: { method?: string; dataset?: string } = {}): Command {
  const pos = (integer = true) => numberArg({ min: integer ? 1 : Number.MIN_VALUE, integer });
  cmd
    .option('--method <name>', `training method: ${METHOD_NAMES.join(', ')} (cat-cli methods: what each is and its settings)`, choiceArg(METHOD_NAMES), defaults.method)
    .option('--dataset <name>', `data set: ${DATASET_NAMES.join(', ')}`, choiceArg(DATASET_NAMES), defaults.dataset)
    .option('--arch <name>', `classifier architecture: ${CLASSIFIER_ARCHS.join(', ')} ${presetDefault('arch')}`, choiceArg(CLASSIFIER_ARCHS))
    .option('--mask-arch <name>', `CAT's mask network g: ${MASK_ARCHS.join(', ')} ${presetDefault('maskArch')}`, choiceArg(MASK_ARCHS));
  for (const s of METHOD_SETTINGS) addSettingFlag(cmd, s);
  return cmd
    .option('--epochs <n>', `epochs ${presetDefault('epochs')}`, pos())
    .option('--batch <n>', `batch size ${presetDefault('batch')}`, pos())
    .option('--lr <number>', `learning rate ${presetDefault('lr')}`, pos(false))
    .option('--seed <n>', 'random seed (default 0)', numberArg({ min: 0, max: 0xffffffff, integer: true }))
    .option('--out <dir>', 'run directory (default runs/<method>-<dataset>-seed<seed>)')
    .option('--backend <name>', 'tfjs backend: native (default when built), cpu, wasm, tensorflow', choiceArg(BACKEND_NAMES))
    .option('--train-subset <n>', 'train on a class-balanced subset of n images (default: all)', pos())
    .option('--test-subset <n>', 'evaluate each epoch on a class-balanced subset of n images (default: all)', pos())
    .option('--eval-steps <n>', 'steps of the per-epoch PGD check (default 10)', pos())
    .option('--optimizer <name>', 'adam or sgd (default from the preset: mnist adam, cifar sgd)', choiceArg(['adam', 'sgd']))
    .option('--momentum <number>', 'sgd momentum (default from the preset: cifar 0.9)', numberArg({ min: 0, max: 0.999999 }))
    .option('--weight-decay <number>', 'sgd weight decay, PyTorch-style (default from the preset: cifar 5e-4)', numberArg({ min: 0 }))
    .option('--milestones <epochs>', 'comma-separated epochs where lr is multiplied by 0.1 (default from the preset: mnist 30, cifar10 100,120, cifar100 100,110)', milestonesArg)
    .option('--recipe <name>', `where unset settings come from: ${RECIPE_NAMES.map((r) => `${r} (${RECIPES[r]})`).join(', ')} (default cat; docs/FIDELITY.md)`, choiceArg(RECIPE_NAMES))
    .option('--allow-mask-collapse', 'CAT: go on when the mask collapses to 0 (the run is then natural training) instead of stopping')
    .option('--resume', 'continue the run in --out from its last checkpoint (same settings)')
    .option('--force', 'delete the run in --out and start over')
    .option('--distributed <mode>', 'data-parallel over MPI: auto (when started by mpirun, default), mpi, none', choiceArg(['auto', 'mpi', 'none']))
    .option('--data-dir <dir>', 'folder with the dataset\'s standard files (mnist IDX, cifar-10-batches-bin, cifar-100-binary)')
    .option('--download', 'download missing standard files (SHA-256 checked) into the cache (~/.cache/cat or $CAT_CACHE_DIR)');
}

/** The trainer config from parsed flags (undefined flags fall back to the preset). */
export function configFromFlags(flags: TrainFlags, backend: string): TrainConfigInput {
  const keys = [
    'arch', 'maskArch', ...METHOD_SETTINGS.map((s) => s.key), 'epochs', 'batch', 'lr', 'seed', 'out', 'trainSubset', 'testSubset',
    'evalSteps', 'optimizer', 'momentum', 'weightDecay', 'milestones', 'recipe', 'allowMaskCollapse', 'dataDir', 'download',
  ];
  const input: Record<string, unknown> = { method: flags.method, dataset: flags.dataset, backend };
  for (const k of keys) if ((flags as Record<string, unknown>)[k] !== undefined) input[k] = (flags as Record<string, unknown>)[k];
  if (flags.resume && flags.force) throw new CliError(`${flagOf('resume')} and ${flagOf('force')} contradict each other; pass one`);
  return input as TrainConfigInput;
}

/** Register `train` on the program. */
export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a model (CAT or a baseline) with crash-safe checkpoints; defaults come from the dataset preset');
  addRunFlags(cmd, { method: 'cat-cent', dataset: 'mnist-digits' }).action(async (flags: TrainFlags) => {
    const backend = chooseBackend(flags.backend, (s) => process.stderr.write(`cat-cli: note: ${s}\n`));
    const r = await runTraining(configFromFlags(flags, backend), flags);
    const last = r.metrics[r.metrics.length - 1];
    // Under mpirun every rank gets here; rank 0 speaks for the run.
    if (r.rank === 0) {
      process.stdout.write(
        `done: ${r.metrics.length} epochs in ${r.dir}` +
          (last ? `; last natural ${(100 * last.naturalAcc).toFixed(1)}%, PGD-10 ${(100 * last.pgd10Acc).toFixed(1)}%` : '') +
          (r.best ? `; best epoch ${r.best.epoch} (checkpoints/best)` : '') +
          '\n',
      );
    }
    r.f.dispose();
    r.g?.dispose();
  });
}
