/**
 * Defaults derived from the methods' declarations: SPEC.md's hyper-parameters of a method on a
 * data set, and the settings the trainer and the CLI build their configuration and flags from.
 */
import { DATASET_NAMES, type DatasetName } from '../data/image-set.js';
import { defaultOf, type Family, type MethodSpec, type OptionSpec, type OptionValue, type RecipeName } from './declare.js';
import { METHOD_NAMES, METHODS, methodSpec, type MethodName, type MethodOptionsByName } from './registry.js';

/** Which column of SPEC.md's table each data set takes. */
export const DATASET_FAMILY: Readonly<Record<DatasetName, Family>> = {
  mnist: 'mnist',
  'mnist-digits': 'mnist',
  'fashion-mnist': 'mnist',
  cifar10: 'cifar',
  cifar100: 'cifar',
};

/**
 * Per data set changes to its family's defaults. Deviation: SPEC.md has no Fashion-MNIST row; it
 * takes the MNIST recipe with eps 0.1 (alpha eps/20), the budget common in the literature,
 * because eps 0.3 erases most garments.
 */
export const DATASET_DEFAULTS: Readonly<Partial<Record<DatasetName, Readonly<Record<string, OptionValue>>>>> = {
  'fashion-mnist': { eps: 0.1, alpha: 0.005 },
};

function datasetOf(where: string, dataset: string): DatasetName {
  const d = String(dataset).toLowerCase();
  if (!(DATASET_NAMES as readonly string[]).includes(d)) {
    throw new Error(`${where}: unknown dataset '${dataset}' (known: ${DATASET_NAMES.join(', ')})`);
  }
  return d as DatasetName;
}

/** The default of option `key` (declared by `spec`) on `dataset`. */
function optionDefault(key: string, spec: OptionSpec, dataset: DatasetName): OptionValue {
  const own = DATASET_DEFAULTS[dataset]?.[key];
  return own !== undefined ? own : defaultOf(spec, DATASET_FAMILY[dataset]);
}

/**
 * SPEC.md's hyper-parameters of a method on a data set, ready for
 * `createMethod(name, methodDefaults(name, dataset))`. MNIST-like data: eps 0.3 (Fashion-MNIST
 * 0.1), alpha eps/20, K 20, a 1, b 0.3, kappa 150; CIFAR: eps 8/255, alpha 2/255, K 10, a 5,
 * b 0.05, kappa 50. TRADES/FAT beta 6 and MART lambda 6 on both.
 */
export function methodDefaults<N extends MethodName>(name: N, dataset: string): MethodOptionsByName[N];
export function methodDefaults(name: string, dataset: string): object;
export function methodDefaults(name: string, dataset: string): object {
  const spec = methodSpec(name, 'methodDefaults');
  const d = datasetOf('methodDefaults', dataset);
  const out: Record<string, OptionValue> = {};
  for (const [key, option] of Object.entries(spec.options) as [string, OptionSpec][]) {
    if (option.hyper !== false) out[key] = optionDefault(key, option, d);
  }
  return out;
}

/** A setting of the trainer (and flag of the CLI) that one or more methods declare. */
export interface MethodSetting {
  /** The setting's name (config key; the flag is its kebab-case). */
  readonly key: string;
  /** The declaring methods, in registry order. */
  readonly methods: readonly MethodName[];
  /** Each declaring method's option spec and the option's own name there. */
  readonly declared: ReadonlyMap<MethodName, { readonly option: string; readonly spec: OptionSpec }>;
  /** Applied by the trainer itself rather than passed to the method (CAT's maskInit). */
  readonly trainerOnly: boolean;
  /** Whom it applies to, for messages: "the CAT methods", or the method names. */
  readonly appliesTo: string;
}

function collectSettings(): MethodSetting[] {
  type Entry = { methods: MethodName[]; declared: Map<MethodName, { option: string; spec: OptionSpec }>; trainerOnly: boolean };
  const byKey = new Map<string, Entry>();
  for (const name of METHOD_NAMES) {
    const spec = METHODS[name] as MethodSpec;
    const names = (spec.settingNames ?? {}) as Record<string, string>;
    const entries: [string, OptionSpec, boolean][] = [
      ...(Object.entries(spec.options) as [string, OptionSpec][]).map(([k, s]): [string, OptionSpec, boolean] => [k, s, false]),
      ...Object.entries(spec.trainerOptions ?? {}).map(([k, s]): [string, OptionSpec, boolean] => [k, s, true]),
    ];
    for (const [option, s, trainerOnly] of entries) {
      if (s.setting === false) continue;
      const key = names[option] ?? option;
      const entry: Entry = byKey.get(key) ?? { methods: [], declared: new Map(), trainerOnly };
      entry.methods.push(name);
      entry.declared.set(name, { option, spec: s });
      byKey.set(key, entry);
    }
  }
  return [...byKey].map(([key, e]) => {
    const groups = new Set(e.methods.map((m) => (METHODS[m] as MethodSpec).group));
    const group = groups.size === 1 ? [...groups][0] : undefined;
    return { key, ...e, appliesTo: group ? `the ${group} methods` : e.methods.join(', ') };
  });
}

/** Every method setting, in the order the methods declare them. */
export const METHOD_SETTINGS: readonly MethodSetting[] = collectSettings();

/** The methods that declare recipe `recipe` (every method has `spec` and `cat`). */
export function recipeMethods(recipe: RecipeName): MethodName[] {
  if (recipe === 'spec' || recipe === 'cat') return [...METHOD_NAMES];
  return METHOD_NAMES.filter((m) => (METHODS[m] as MethodSpec).recipes?.[recipe] !== undefined);
}

/**
 * The defaults of every method setting for `method` on `dataset` under `recipe`: the method's
 * own declared defaults with the recipe's changes (which may include the trainer's own settings,
 * e.g. the authors' milestones); settings the method does not declare take their first
 * declarer's SPEC.md value, so a configuration always holds every setting.
 */
export function methodSettingDefaults(method: string, dataset: string, recipe: RecipeName): Record<string, OptionValue> {
  const spec = methodSpec(method, 'methodSettingDefaults');
  const d = datasetOf('methodSettingDefaults', dataset);
  const changes = recipe === 'spec' ? {} : (spec.recipes?.[recipe]?.[DATASET_FAMILY[d]] ?? {});
  const out: Record<string, OptionValue> = {};
  for (const s of METHOD_SETTINGS) {
    const own = s.declared.get(method as MethodName);
    const { spec: option } = own ?? s.declared.get(s.methods[0])!;
    out[s.key] = own && changes[s.key] !== undefined ? changes[s.key] : optionDefault(s.key, option, d);
  }
  for (const [key, value] of Object.entries(changes)) if (!(key in out)) out[key] = value;
  return out;
}

/** The options of `method` from a flat settings object (a trainer configuration); null means unset. */
export function methodOptionsFromSettings(method: string, settings: Readonly<Record<string, unknown>>): Record<string, unknown> {
  methodSpec(method, 'methodOptionsFromSettings');
  const options: Record<string, unknown> = {};
  for (const s of METHOD_SETTINGS) {
    const own = s.declared.get(method as MethodName);
    const value = settings[s.key];
    if (own && !s.trainerOnly && value !== undefined && value !== null) options[own.option] = value;
  }
  return options;
}
