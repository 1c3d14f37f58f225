/**
 * The training configuration: what a user may set, how the preset fills the rest, and the
 * checks that turn a mistyped or contradictory value into one clear error.
 */
import {
  BACKEND_NAMES,
  CLASSIFIER_ARCHS,
  MASK_ARCHS,
  RECIPES as RECIPES_HELP,
  METHOD_NAMES as CORE_METHOD_NAMES,
  METHOD_SETTINGS,
  methodSpec,
  rangeText,
  inRange,
  recipeMethods,
  type BackendName,
  type OptionSpec,
} from '@cat/core';
import {
  DATASET_NAMES,
  METHOD_SETTING_KEYS,
  presetFor,
  RECIPE_NAMES,
  WRN_MILESTONES,
  type DatasetName,
  type MethodSettings,
  type TrainerPreset,
  type RecipeName,
} from './presets.js';

/** Training methods the trainer knows: those `createMethod` of @cat/core builds. */
export const METHOD_NAMES: readonly string[] = CORE_METHOD_NAMES;

/** CAT's ablations (SPEC section 5.2.3), as CAT declares them: A2 drops the mask, A1 also the weighted CE. */
export const ABLATIONS: readonly string[] = Object.keys(METHOD_SETTINGS.find((s) => s.key === 'ablation')!.declared.values().next().value!.spec.choices!);

/** tfjs backends `--backend` accepts. */
// The backend names are @cat/core's, re-exported for the trainer's callers.
export { BACKEND_NAMES, type BackendName };

/**
 * The full, resolved training configuration; written to `RUN_DIR/config.json`. The methods'
 * settings ({@link MethodSettings}: the attack budget, CAT's a, b, kappa, ablation and mask
 * settings, TRADES's beta, ...) are declared with the methods in @cat/core, which also says what
 * each means (`cat-cli methods`).
 */
export interface TrainConfig extends MethodSettings, Omit<TrainerPreset, 'family' | 'evalEps' | 'evalAlpha'> {
  method: string;
  dataset: DatasetName;
  /** Where the defaults the user did not set come from: 'cat', 'spec' or 'authors' (see RECIPE_NAMES). */
  recipe: RecipeName;
  /** Go on when the mask collapses instead of stopping with a MaskCollapseError. */
  allowMaskCollapse: boolean;
  seed: number;
  backend: BackendName;
  /** Train on the first N examples of a seeded shuffle of the training set (quick runs). */
  trainSubset: number | null;
  /** Evaluate on the first N examples of a seeded shuffle of the test set (quick runs). */
  testSubset: number | null;
  /** The per-epoch check's eps and step, resolved (see {@link TrainerPreset}). */
  evalEps: number;
  evalAlpha: number;
  /** Output directory (the run dir). */
  out: string;
  /** Folder holding the dataset's standard files (mnist, cifar10, cifar100); null: the default place. */
  dataDir: string | null;
  /** Download missing standard files (SHA-256 checked) into the cache. */
  download: boolean;
}

/** What a caller may pass: anything of TrainConfig, `dataset` and `method` at least. */
export type TrainConfigInput = Partial<Omit<TrainConfig, 'dataset' | 'method' | 'backend' | 'optimizer' | 'ablation' | 'recipe'>> & {
  dataset: string;
  method: string;
  backend?: string;
  optimizer?: string;
  ablation?: string;
  recipe?: string;
};

/** The settings that are true or false. */
type BoolKey = { [K in keyof TrainConfig]: TrainConfig[K] extends boolean ? K : never }[keyof TrainConfig];

/** Keys that do not change the run's results, so a resume may differ in them. */
export const RUN_NEUTRAL_KEYS: ReadonlySet<string> = new Set(['out', 'backend', 'dataDir', 'download', 'allowMaskCollapse']);

const KEYS: ReadonlySet<string> = new Set([
  'method', 'dataset', 'arch', 'maskArch', ...METHOD_SETTING_KEYS, 'recipe', 'allowMaskCollapse',
  'optimizer', 'lr', 'momentum', 'weightDecay', 'milestones', 'lrFactor', 'epochs', 'batch',
  'augment', 'seed', 'backend', 'trainSubset', 'testSubset', 'evalEps', 'evalAlpha', 'evalSteps', 'evalRandomStart', 'out',
  'dataDir', 'download',
]);

/** Thrown for a configuration value out of range or unknown; `key` names the setting. */
export class ConfigError extends Error {
  constructor(readonly key: string, message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function fail(key: string, msg: string): never {
  throw new ConfigError(key, `invalid ${key}: ${msg}`);
}

function num(key: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(key, `expected a finite number, got ${JSON.stringify(v)}`);
  return v;
}

function int(key: string, v: unknown, min: number): number {
  const n = num(key, v);
  if (!Number.isInteger(n) || n < min) fail(key, `expected an integer >= ${min}, got ${n}`);
  return n;
}

function nonNeg(key: string, v: unknown): number {
  const n = num(key, v);
  if (n < 0) fail(key, `must be >= 0, got ${n}`);
  return n;
}

/** Checks a method setting against its declaration (the same ranges the methods check). */
function setting(key: string, spec: OptionSpec, v: unknown): unknown {
  if (v === null && spec.default === null) return null;
  const range = rangeText(spec);
  const note = spec.note ? ` (${spec.note})` : '';
  switch (spec.type) {
    case 'number': {
      const n = num(key, v);
      if (!inRange(spec, n)) fail(key, `must be ${range}${note}, got ${n}`);
      return n;
    }
    case 'integer':
      return int(key, v, spec.min ?? Number.MIN_SAFE_INTEGER);
    case 'boolean':
      if (typeof v !== 'boolean') fail(key, `expected true or false, got ${JSON.stringify(v)}`);
      return v;
    case 'choice':
      return oneOf(key, v, Object.keys(spec.choices ?? {}));
    default:
      fail(key, 'is not a setting of the trainer');
  }
}

function oneOf<T extends string>(key: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    fail(key, `unknown ${key} ${JSON.stringify(v)}; expected one of ${allowed.join(', ')}`);
  }
  return v as T;
}

/**
 * Fill a partial configuration from the dataset's preset and validate every field.
 * Throws a {@link ConfigError} naming the setting and the expected range on the first bad value.
 * @param input at least `dataset` and `method`; everything else defaults from the preset.
 * @param knownMethods method names to accept (defaults to {@link METHOD_NAMES}).
 */
export function resolveConfig(input: TrainConfigInput, knownMethods: readonly string[] = METHOD_NAMES): TrainConfig {
  if (input === null || typeof input !== 'object') throw new ConfigError('config', 'config must be an object');
  for (const k of Object.keys(input)) {
    if (!KEYS.has(k)) throw new ConfigError(k, `unknown config key "${k}"; expected one of ${[...KEYS].join(', ')}`);
  }
  const dataset = oneOf('dataset', input.dataset, DATASET_NAMES);
  const method = oneOf('method', input.method, knownMethods as readonly string[]);
  const raw = input as Record<string, unknown>;
  const pick = <K extends keyof TrainConfig>(k: K, d: TrainConfig[K]): TrainConfig[K] =>
    raw[k] === undefined ? d : (raw[k] as TrainConfig[K]);
  const bool = (k: BoolKey, d: boolean): boolean => {
    const v = pick(k, d);
    if (typeof v !== 'boolean') fail(k, `expected true or false, got ${JSON.stringify(v)}`);
    return v;
  };
  const recipe = oneOf('recipe', pick('recipe', 'cat'), RECIPE_NAMES);
  if (!recipeMethods(recipe).includes(method as never)) {
    const owners = recipeMethods(recipe).map((m) => methodSpec(m).group ?? m);
    const who = new Set(owners).size === 1 ? `the ${owners[0]} methods` : [...new Set(owners)].join(', ');
    fail('recipe', `'${recipe}' (${RECIPES_HELP[recipe]}) applies to ${who} only, not to ${method}`);
  }
  const p = presetFor(dataset, method, recipe);

  // The methods' settings, each checked against its declaration; one the method does not
  // declare must keep its default (setting it would silently do nothing).
  const settings: Record<string, unknown> = {};
  for (const s of METHOD_SETTINGS) {
    const own = s.declared.get(method as never);
    const spec = (own ?? s.declared.get(s.methods[0])!).spec;
    let dflt: unknown = p[s.key as keyof typeof p];
    // Scale the preset's alpha with a user-chosen eps, so `--eps 0.4` alone keeps alpha = eps/20.
    if (s.key === 'alpha' && input.eps !== undefined && settings.eps !== 0) dflt = (p.alpha / p.eps) * (settings.eps as number);
    const value = setting(s.key, spec, pick(s.key as keyof TrainConfig, dflt as never));
    if (!own && JSON.stringify(value) !== JSON.stringify(dflt)) fail(s.key, `applies to ${s.appliesTo} only, not to ${method}`);
    settings[s.key] = value;
  }
  const { eps, alpha } = settings as unknown as MethodSettings;
  // A step larger than the whole budget is clipped back every time: surely a mistake.
  if (eps > 0 && alpha > eps * (1 + 1e-9)) {
    fail('alpha', `alpha (${alpha}) exceeds eps (${eps}); every step would be clipped back to the eps ball, use alpha <= eps`);
  }
  const arch = oneOf('arch', pick('arch', p.arch), CLASSIFIER_ARCHS);
  const maskArch = oneOf('maskArch', pick('maskArch', p.maskArch), MASK_ARCHS);
  // Only the methods that train g have a mask network: choosing one for another would do nothing.
  const trainsMask = (m: string) => (CORE_METHOD_NAMES as readonly string[]).includes(m) && methodSpec(m).needsMask;
  if (raw.maskArch !== undefined && raw.maskArch !== p.maskArch && !trainsMask(method)) {
    fail('maskArch', `applies to the methods with a mask network (${CORE_METHOD_NAMES.filter(trainsMask).join(', ')}) only, not to ${method}`);
  }

  const optimizer = oneOf('optimizer', pick('optimizer', p.optimizer), ['adam', 'sgd'] as const);
  const lr = num('lr', pick('lr', p.lr));
  if (lr <= 0) fail('lr', `must be > 0, got ${lr}`);
  const momentum = nonNeg('momentum', pick('momentum', optimizer === 'sgd' && p.optimizer !== 'sgd' ? 0.9 : p.momentum));
  if (momentum >= 1) fail('momentum', `must be in [0, 1), got ${momentum}`);
  const weightDecay = nonNeg('weightDecay', pick('weightDecay', p.weightDecay));
  const epochs = int('epochs', pick('epochs', p.epochs), 1);
  const defaultMilestones = /wide|wrn/i.test(arch) && dataset === 'cifar10' ? WRN_MILESTONES : p.milestones;
  const milestones = pick('milestones', [...defaultMilestones]);
  if (!Array.isArray(milestones)) fail('milestones', `expected a list of epochs, got ${JSON.stringify(milestones)}`);
  milestones.forEach((m, i) => {
    int('milestones', m, 1);
    if (i > 0 && m <= milestones[i - 1]) fail('milestones', `must be strictly increasing, got ${milestones.join(',')}`);
  });
  const lrFactor = num('lrFactor', pick('lrFactor', p.lrFactor));
  if (lrFactor <= 0 || lrFactor > 1) fail('lrFactor', `must be in (0, 1], got ${lrFactor}`);

  const augment = bool('augment', p.augment);
  const seed = num('seed', pick('seed', 0));
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail('seed', `expected an integer in [0, 2^32), got ${seed}`);
  const subset = (k: 'trainSubset' | 'testSubset') => {
    const v = raw[k];
    return v === undefined || v === null ? null : int(k, v, 1);
  };
  const evalEps = num('evalEps', pick('evalEps', p.evalEps ?? eps));
  if (evalEps < 0 || evalEps > 1) fail('evalEps', `must be in [0, 1], got ${evalEps}`);
  const evalAlpha = num('evalAlpha', pick('evalAlpha', p.evalAlpha ?? (evalEps > 0 ? evalEps / 4 : 1 / 255)));
  if (evalAlpha <= 0) fail('evalAlpha', `must be > 0, got ${evalAlpha}`);
  const evalRandomStart = bool('evalRandomStart', p.evalRandomStart && evalEps > 0);
  const allowMaskCollapse = bool('allowMaskCollapse', false);
  const out = pick('out', `runs/${method}-${dataset}-seed${seed}`);
  if (typeof out !== 'string' || !out) fail('out', `expected a directory path, got ${JSON.stringify(out)}`);
  const dataDir = raw.dataDir ?? null;
  if (dataDir !== null && (typeof dataDir !== 'string' || !dataDir)) {
    fail('dataDir', `expected a directory path, got ${JSON.stringify(dataDir)}`);
  }
  const download = bool('download', false);

  return {
    method,
    dataset,
    arch,
    maskArch,
    ...(settings as unknown as MethodSettings),
    recipe,
    allowMaskCollapse,
    optimizer,
    lr,
    momentum,
    weightDecay,
    milestones,
    lrFactor,
    epochs,
    batch: int('batch', pick('batch', p.batch), 1),
    augment,
    seed,
    backend: oneOf('backend', pick('backend', 'cpu'), BACKEND_NAMES),
    trainSubset: subset('trainSubset'),
    testSubset: subset('testSubset'),
    evalEps,
    evalAlpha,
    evalSteps: int('evalSteps', pick('evalSteps', p.evalSteps), 1),
    evalRandomStart,
    out,
    dataDir,
    download,
  };
}

/**
 * The settings in which two configurations differ, ignoring those that do not change results
 * ({@link RUN_NEUTRAL_KEYS}). Empty when they describe the same run.
 */
export function configDifferences(saved: Record<string, unknown>, wanted: TrainConfig): string[] {
  const keys = new Set([...Object.keys(saved), ...Object.keys(wanted)]);
  const diffs: string[] = [];
  for (const k of keys) {
    if (RUN_NEUTRAL_KEYS.has(k)) continue;
    const a = JSON.stringify(saved[k] ?? null);
    const b = JSON.stringify((wanted as unknown as Record<string, unknown>)[k] ?? null);
    if (a !== b) diffs.push(`${k} (saved ${a}, asked ${b})`);
  }
  return diffs;
}
