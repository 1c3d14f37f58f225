/**
 * How a training method declares itself: its name, its options (type, default per data family,
 * range, help text), the recipes that change those defaults, and how it is built. Everything
 * else is derived from the declarations: option checks here and in the trainer, the trainer's
 * settings and presets, the CLI's flags and `--help`, and the methods' docs (`cat-cli methods`).
 */
import type { TrainMethod } from '../types.js';

/** The two columns of SPEC.md's hyper-parameter table: MNIST-like (28x28 gray) data and CIFAR. */
export type Family = 'mnist' | 'cifar';

/** A value that is the same for both families, or one per family. */
export type PerFamily<T> = T | { readonly mnist: T; readonly cifar: T };

/** What an option's value may be. */
export type OptionValue = number | boolean | string | null | object;

/** One option of a method. */
export interface OptionSpec {
  /** 'number' (finite), 'integer', 'boolean', 'choice' (one of `choices`) or 'custom' (`check`). */
  readonly type: 'number' | 'integer' | 'boolean' | 'choice' | 'custom';
  /** One line for `--help` and the docs. */
  readonly help: string;
  /** SPEC.md's default, per family; `null` for "derived at run time" (`help` says how). */
  readonly default: PerFamily<OptionValue>;
  /** Bounds of a number or integer; `exclusiveMin`/`exclusiveMax` make them open. */
  readonly min?: number;
  readonly max?: number;
  readonly exclusiveMin?: boolean;
  readonly exclusiveMax?: boolean;
  /** Said after a range error, e.g. "images live in [0,1]". */
  readonly note?: string;
  /** The values of a 'choice', each with what it means. */
  readonly choices?: Readonly<Record<string, string>>;
  /** Checks (and returns) a 'custom' value; throws an error naming `where`. */
  readonly check?: (where: string, value: unknown) => unknown;
  /** A hyper-parameter of SPEC.md's table (what `methodDefaults` returns). Default true. */
  readonly hyper?: boolean;
  /** A setting of the trainer and a CLI flag. Default true; false for library-only options. */
  readonly setting?: boolean;
}

/** Options by name. */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/**
 * Recipes: where the defaults a user did not set come from.
 * - `cat` (default): SPEC.md's values with each method's own changes (CAT's remedy against the
 *   mask collapse, the baselines' papers' settings).
 * - `spec`: SPEC.md as written, one attack budget for every method, no remedy.
 * - `authors`: CAT as the CAT authors' public scripts train it.
 */
export const RECIPES = {
  cat: "the preset: CAT with cat's remedy against the mask collapse, baselines with their papers' settings",
  spec: 'SPEC.md as written, one budget for all',
  authors: "CAT as the CAT authors' scripts train it",
} as const;
export type RecipeName = keyof typeof RECIPES;
export const RECIPE_NAMES = Object.keys(RECIPES) as RecipeName[];

/** Settings a recipe changes, per family; may include the trainer's own (milestones, eval*). */
export type RecipeSettings = Partial<Record<Family, Readonly<Record<string, OptionValue>>>>;

/** A training method's declaration. */
export interface MethodSpec<O extends object = object> {
  readonly name: string;
  /** How tables and charts name it ("CAT-cent", "FAT (TRADES)"). */
  readonly label: string;
  /** A name for the methods that share options, used in messages ("the CAT methods"). */
  readonly group?: string;
  /** One line: what the method is. */
  readonly summary: string;
  /** Whether it trains a mask network g (the trainer builds one). */
  readonly needsMask: boolean;
  /** The options `create` takes, each declared (the compiler checks that none is missing). */
  readonly options: { readonly [K in keyof Required<O>]: OptionSpec };
  /** Settings of this method that the trainer applies itself (g's initialisation, g's lr). */
  readonly trainerOptions?: OptionSpecs;
  /** Options that share a setting with other methods under another name (MART's lambda is beta). */
  readonly settingNames?: { readonly [K in keyof O]?: string };
  /** Changes to the defaults under the `cat` and `authors` recipes (`spec` changes nothing). */
  readonly recipes?: Partial<Record<Exclude<RecipeName, 'spec'>, RecipeSettings>>;
  /** Builds the method; options are checked by the method itself ({@link resolveOptions}). */
  create(options: O): TrainMethod;
  /**
   * The training settings in words, for the captions of results ("beta 6; attack ascends the KL
   * from x + 0.001 N(0,1), eps 0.3, 20 steps of 0.015"); `settings` is a trainer configuration.
   */
  describe(settings: Readonly<Record<string, unknown>>, show: (n: number) => string): string;
}

/** "eps 0.3, 20 steps of 0.015": the attack budget of a configuration, in words. */
export function budgetText(s: Readonly<Record<string, unknown>>, show: (n: number) => string): string {
  return `eps ${show(s.eps as number)}, ${s.steps as number} steps of ${show(s.alpha as number)}`;
}

/** Declares a method (an identity that lets the compiler check the declaration). */
export function declareMethod<O extends object>(spec: MethodSpec<O>): MethodSpec<O> {
  return spec;
}

/** The default of `spec` on `family`. */
export function defaultOf(spec: OptionSpec, family: Family): OptionValue {
  const d = spec.default;
  if (d !== null && typeof d === 'object' && 'mnist' in d && 'cifar' in d) return (d as { mnist: OptionValue; cifar: OptionValue })[family];
  return d;
}

/** "in [0, 1]", ">= 0", "> 0", "in (0, 1]": the range of a number option, as messages say it. */
export function rangeText(spec: OptionSpec): string | null {
  const { min, max } = spec;
  if (min !== undefined && max !== undefined) {
    return `in ${spec.exclusiveMin ? '(' : '['}${min}, ${max}${spec.exclusiveMax ? ')' : ']'}`;
  }
  if (min !== undefined) return `${spec.exclusiveMin ? '>' : '>='} ${min}`;
  if (max !== undefined) return `${spec.exclusiveMax ? '<' : '<='} ${max}`;
  return null;
}

/** Whether a finite number lies in the option's range. */
export function inRange(spec: OptionSpec, n: number): boolean {
  if (spec.min !== undefined && (spec.exclusiveMin ? n <= spec.min : n < spec.min)) return false;
  if (spec.max !== undefined && (spec.exclusiveMax ? n >= spec.max : n > spec.max)) return false;
  return true;
}

/** Checks one option value; throws `${where}: ${key} must be ...` naming the problem. */
export function checkOption(where: string, key: string, spec: OptionSpec, value: unknown): OptionValue {
  const note = spec.note ? ` (${spec.note})` : '';
  switch (spec.type) {
    case 'number': {
      const range = rangeText(spec);
      const ok = typeof value === 'number' && Number.isFinite(value) && inRange(spec, value);
      if (!ok) {
        const what = spec.min !== undefined && spec.max !== undefined ? `a number ${range}` : `a finite number${range ? ` ${range}` : ''}`;
        throw new Error(`${where}: ${key} must be ${what}${note}, got ${String(value)}`);
      }
      return value;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value) || !inRange(spec, value)) {
        throw new Error(`${where}: ${key} must be an integer ${rangeText(spec) ?? ''}${note}, got ${String(value)}`.replace(' ,', ','));
      }
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new Error(`${where}: ${key} must be true or false, got ${String(value)}`);
      return value;
    case 'choice': {
      const names = Object.keys(spec.choices ?? {});
      if (typeof value !== 'string' || !names.includes(value)) {
        const list = names.map((n) => `'${n}'`);
        throw new Error(`${where}: ${key} must be ${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}, got '${String(value)}'`);
      }
      return value;
    }
    case 'custom':
      if (!spec.check) throw new Error(`${where}: option ${key} is declared 'custom' without a check`);
      return spec.check(where, value) as OptionValue;
  }
}

/**
 * The options of a method, checked and with defaults filled (`family`'s; the library's defaults
 * are CIFAR's, SPEC.md's main column). Unknown keys throw (a typo must not pass silently); an
 * option whose default is null stays undefined when not given.
 */
export function resolveOptions<O extends object>(
  where: string,
  specs: { readonly [K in keyof Required<O>]: OptionSpec },
  options: O,
  family: Family = 'cifar',
): Record<string, OptionValue | undefined> {
  if (options === null || typeof options !== 'object') throw new Error(`${where}: options must be an object`);
  const known = Object.keys(specs);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${where}: unknown option '${key}' (known: ${known.join(', ')})`);
  }
  const out: Record<string, OptionValue | undefined> = {};
  for (const [key, spec] of Object.entries(specs) as [string, OptionSpec][]) {
    const given = (options as Record<string, unknown>)[key];
    const value = given === undefined ? defaultOf(spec, family) : given;
    out[key] = value === null && given === undefined ? undefined : checkOption(where, key, spec, value);
  }
  return out;
}
