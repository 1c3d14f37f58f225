/**
 * `cat-cli train`: train one run (any method, any dataset) with defaults from the dataset's
 * preset, progress bars, per-epoch summaries, and crash-safe checkpoints in `--out`.
 */
import type { Command } from 'commander';
import { availableBackends, METHOD_NAMES } from '@cat/core';
import {
  BACKEND_NAMES,
  ConfigError,
  DATASET_NAMES,
  DivergenceError,
  MaskCollapseError,
  PRESETS,
  RECIPE_NAMES,
  RunDirError,
  train,
  TrainingAbortedError,
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

/** Help text: a preset value for MNIST-like sets and for CIFAR. */
function presetDefault(key: 'eps' | 'alpha' | 'steps' | 'a' | 'b' | 'kappa' | 'beta' | 'lr' | 'epochs' | 'batch' | 'arch'): string {
  const show = (v: unknown) => (typeof v === 'number' ? showNumber(v) : String(v));
  const m = show(PRESETS.mnist[key]);
  const f = show(PRESETS['fashion-mnist'][key]);
  const c = show(PRESETS.cifar10[key]);
  const c100 = show(PRESETS.cifar100[key]);
  const parts = [`mnist ${m}`];
  if (f !== m) parts.push(`fashion-mnist ${f}`);
  parts.push(c100 === c ? `cifar ${c}` : `cifar10 ${c}, cifar100 ${c100}`);
  return `(default from the preset: ${parts.join(', ')})`;
}

/** Flags shared by train and demo: how the run is set up. */
export interface TrainFlags {
  method?: string;
  dataset?: string;
  arch?: string;
  eps?: number;
  alpha?: number;
  steps?: number;
  a?: number;
  b?: number;
  kappa?: number;
  beta?: number;
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
  ablation?: string;
  detachWeight?: boolean;
  detachTarget?: boolean;
  maskWarmupEpochs?: number;
  maskInit?: number;
  maskLrScale?: number;
  recipe?: string;
  allowMaskCollapse?: boolean;
  resume?: boolean;
  force?: boolean;
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
export async function runTraining(input: TrainConfigInput, flags: Pick<TrainFlags, 'resume' | 'force'>): Promise<TrainResult> {
  const ac = new AbortController();
  const onSignal = () => ac.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = trainProgress();
  try {
    return await train(input, { resume: flags.resume, force: flags.force, signal: ac.signal, onProgress: progress.onProgress });
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
  return cmd
    .option('--method <name>', `training method: ${METHOD_NAMES.join(', ')}`, choiceArg(METHOD_NAMES), defaults.method)
    .option('--dataset <name>', `data set: ${DATASET_NAMES.join(', ')}`, choiceArg(DATASET_NAMES), defaults.dataset)
    .option('--arch <name>', `classifier architecture ${presetDefault('arch')}`)
    .option('--eps <number>', `L-inf budget of the training attack, in [0,1] ${presetDefault('eps')}`, numberArg({ min: 0, max: 1 }))
    .option('--alpha <number>', `attack step size ${presetDefault('alpha')}; scales with --eps when not given`, numberArg({ min: Number.MIN_VALUE }))
    .option('--steps <n>', `attack steps K ${presetDefault('steps')}`, pos())
    .option('--a <number>', `CAT: weight of KL(p(x) || p(x_c)) ${presetDefault('a')}`, numberArg({ min: 0 }))
    .option('--b <number>', `CAT: weight of the mask's CE ${presetDefault('b')}`, numberArg({ min: 0 }))
    .option('--kappa <number>', `CW margin for cat-cw ${presetDefault('kappa')}`, numberArg({ min: 0 }))
    .option('--beta <number>', `TRADES beta / MART lambda ${presetDefault('beta')}`, numberArg({ min: 0 }))
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
    .option('--ablation <kind>', "CAT ablation: A2 drops the mask, A1 also the weighted CE (default none)", choiceArg(['none', 'A1', 'A2']))
    .option('--detach-weight', "CAT: treat the weight (1 - p_y(x)) as a constant")
    .option('--detach-target', 'CAT: treat the KL target p(x) as a constant')
    .option('--recipe <name>', "where unset settings come from: cat (the preset: CAT with cat's remedy against the mask collapse, baselines with their papers' settings), spec (SPEC.md as written, one budget for all), authors (CAT as the CAT authors' scripts train it) (default cat; docs/FIDELITY.md)", choiceArg(RECIPE_NAMES))
    .option('--mask-warmup-epochs <n>', 'CAT, not in the paper: hold the mask net still for the first n epochs (default from the recipe)', numberArg({ min: 0, integer: true }))
    .option('--mask-init <m0>', "CAT, not in the paper: start the mask near m0 in (0,1) by setting g's output bias to logit(m0) (default from the recipe)", numberArg({ min: Number.MIN_VALUE, max: 1 - 1e-9 }))
    .option('--mask-lr-scale <s>', "CAT, not in the paper: g's learning rate is lr * s, s in (0,1] (default from the recipe)", numberArg({ min: Number.MIN_VALUE, max: 1 }))
    .option('--allow-mask-collapse', 'CAT: go on when the mask collapses to 0 (the run is then natural training) instead of stopping')
    .option('--resume', 'continue the run in --out from its last checkpoint (same settings)')
    .option('--force', 'delete the run in --out and start over')
    .option('--data-dir <dir>', 'folder with the dataset\'s standard files (mnist IDX, cifar-10-batches-bin, cifar-100-binary)')
    .option('--download', 'download missing standard files (SHA-256 checked) into the cache (~/.cache/cat or $CAT_CACHE_DIR)');
}

/** The trainer config from parsed flags (undefined flags fall back to the preset). */
export function configFromFlags(flags: TrainFlags, backend: string): TrainConfigInput {
  const keys = [
    'arch', 'eps', 'alpha', 'steps', 'a', 'b', 'kappa', 'beta', 'epochs', 'batch', 'lr', 'seed', 'out', 'trainSubset', 'testSubset',
    'evalSteps', 'optimizer', 'momentum', 'weightDecay', 'milestones', 'ablation', 'detachWeight', 'detachTarget', 'maskWarmupEpochs',
    'maskInit', 'maskLrScale', 'recipe', 'allowMaskCollapse', 'dataDir', 'download',
  ] as const;
  const input: Record<string, unknown> = { method: flags.method, dataset: flags.dataset, backend };
  for (const k of keys) if (flags[k] !== undefined) input[k] = flags[k];
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
    process.stdout.write(
      `done: ${r.metrics.length} epochs in ${r.dir}` +
        (last ? `; last natural ${(100 * last.naturalAcc).toFixed(1)}%, PGD-10 ${(100 * last.pgd10Acc).toFixed(1)}%` : '') +
        (r.best ? `; best epoch ${r.best.epoch} (checkpoints/best)` : '') +
        '\n',
    );
    r.f.dispose();
    r.g?.dispose();
  });
}
