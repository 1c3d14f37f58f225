/**
 * The one registry of attack names. {@link ATTACK_REGISTRY} lists every attack's entry (each
 * attack file exports its class and its entry); everything else here is read from that list:
 * the name lists of help texts and errors, `createAttack` / `createEvalAttack`, the attack lists
 * of `cat-cli eval --attacks` ({@link parseEvalAttackList}) and the names the invariant tests in
 * test/attacks run. Adding an attack is one new file plus one line in {@link ATTACK_REGISTRY}.
 */
import type { Attack } from '../types.js';
import { apgdEntry } from './apgd.js';
import { autoAttackEntry } from './autoattack.js';
import { cwEntry } from './cw-linf.js';
import type { AttackContext, AttackEntry, AttackOverrides } from './entry.js';
import { fabEntry } from './fab.js';
import { fgsmEntry } from './fgsm.js';
import { friendlyPgdEntry } from './friendly-pgd.js';
import { checkEps, checkNorm, resolveRng } from './options.js';
import { pgdEntry, pgdRestartsEntry } from './pgd.js';
import type { Norm } from './projection.js';
import { squareEntry } from './square.js';

export type { AttackContext, AttackEntry, AttackOverrides, AttackRequest } from './entry.js';
export { defineAttack } from './entry.js';

/**
 * Every attack, in the order help texts list them: first those with `:key=value` overrides
 * (training and evaluation), then the evaluation-only ones.
 */
export const ATTACK_REGISTRY: readonly AttackEntry[] = [
  fgsmEntry,
  pgdEntry,
  cwEntry,
  friendlyPgdEntry,
  squareEntry,
  autoAttackEntry,
  apgdEntry,
  fabEntry,
  pgdRestartsEntry,
];

const withOverrides = ATTACK_REGISTRY.filter((e) => !e.evalOnly);
const evalOnly = ATTACK_REGISTRY.filter((e) => e.evalOnly);

/**
 * The fixed names of the attacks that take `:key=value` overrides (FGSM and the PGD family);
 * every one of them is covered by the registry-driven invariant tests in test/attacks.
 */
export const ATTACK_NAMES: readonly string[] = withOverrides.flatMap((e) => e.names);

/** The name forms beyond {@link ATTACK_NAMES} that those attacks answer to (for help texts). */
export const ATTACK_NAME_PATTERNS: readonly string[] = withOverrides.flatMap((e) => e.patterns ?? []);

/** The fixed names of the evaluation-only attacks (Square, AutoAttack and its stages). */
export const EVAL_ONLY_ATTACK_NAMES: readonly string[] = evalOnly.flatMap((e) => e.names);

/** Every fixed name of the registry: {@link ATTACK_NAMES}, then {@link EVAL_ONLY_ATTACK_NAMES}. */
export const EVAL_ATTACK_NAMES: readonly string[] = [...ATTACK_NAMES, ...EVAL_ONLY_ATTACK_NAMES];

/** Every name form of the registry beyond {@link EVAL_ATTACK_NAMES}. */
export const EVAL_ATTACK_PATTERNS: readonly string[] = [...ATTACK_NAME_PATTERNS, ...evalOnly.flatMap((e) => e.patterns ?? [])];

/** The spec's evaluation attacks, in table order. */
export const DEFAULT_EVAL_ATTACK_NAMES = ['fgsm', 'pgd20', 'pgd100', 'cw'] as const;

/** The attack lists of `--suite`. */
export const EVAL_SUITES = {
  /** The paper's table (Table 2): FGSM, PGD-20, PGD-100, CW-inf; plus Square as in its Table 4. */
  paper: [...DEFAULT_EVAL_ATTACK_NAMES, 'square'],
  /** AutoAttack, standard version. */
  autoattack: ['autoattack'],
} as const satisfies Record<string, readonly string[]>;

export type EvalSuite = keyof typeof EVAL_SUITES;

/** Thrown for a name whose base the registry does not know. */
export class UnknownAttackError extends Error {
  constructor(
    /** The name as given. */
    readonly attack: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnknownAttackError';
  }
}

/**
 * The spec's evaluation step size: 0.003 for CIFAR (eps 8/255), 0.01 for MNIST-like data
 * (eps 0.3); `undefined` for an unknown dataset.
 */
export function evalStepSize(dataset: string | undefined): number | undefined {
  if (dataset === undefined) return undefined;
  const d = dataset.toLowerCase();
  if (d.includes('cifar')) return 0.003;
  if (d.includes('mnist')) return 0.01;
  return undefined;
}

/**
 * RobustBench's L2 budget for a dataset: 0.5 for CIFAR, 2 for MNIST-like data (Croce et al.
 * 2021's MNIST L2 setting); `undefined` for an unknown dataset.
 */
export function evalL2Eps(dataset: string | undefined): number | undefined {
  const d = dataset?.toLowerCase() ?? '';
  if (d.includes('cifar')) return 0.5;
  if (d.includes('mnist')) return 2;
  return undefined;
}

const NUMERIC_KEYS = ['eps', 'alpha', 'steps', 'kappa', 'restarts', 'tau', 'seed'] as const;

/** Keys a name's `:key=value,...` overrides may set. */
export const ATTACK_OVERRIDE_KEYS = [...NUMERIC_KEYS, 'randomStart', 'loss', 'name', 'norm'] as const;

/** One line naming every accepted name and form, for help texts and errors. */
export function describeEvalAttackNames(): string {
  return (
    `${[...EVAL_ATTACK_NAMES, ...EVAL_ATTACK_PATTERNS].join(', ')}; ` +
    `registry attacks take overrides as NAME:key=value,... (${ATTACK_OVERRIDE_KEYS.join(', ')})`
  );
}

/** Parses `key=value,key=value` overrides of a named attack. */
function parseOverrides(name: string, text: string | undefined): AttackOverrides {
  const out: AttackOverrides = {};
  if (text === undefined || text.trim() === '') return out;
  for (const part of text.split(',')) {
    const [key, value, ...rest] = part.split('=').map((s) => s.trim());
    if (!key || value === undefined || rest.length > 0) {
      throw new Error(`attack '${name}': override '${part}' must look like key=value`);
    }
    if ((NUMERIC_KEYS as readonly string[]).includes(key)) {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new Error(`attack '${name}': ${key} must be a number, got '${value}'`);
      out[key] = n;
    } else if (key === 'randomStart') {
      out[key] = value === 'true' ? true : value === 'false' ? false : value;
    } else if (key === 'loss' || key === 'name' || key === 'norm') {
      out[key] = value;
    } else {
      throw new Error(`attack '${name}': unknown option '${key}' (known: ${ATTACK_OVERRIDE_KEYS.join(', ')})`);
    }
  }
  return out;
}

/** The entry a name belongs to, the match on its base name and its override text. */
function lookUp(name: string): { entry: AttackEntry; match: RegExpExecArray; overrideText: string | undefined } {
  if (typeof name !== 'string' || name.trim() === '') throw new Error('createAttack: attack name must be a non-empty string');
  const [rawBase, overrideText] = name.trim().split(/:(.*)/s) as [string, string | undefined];
  const base = rawBase.toLowerCase();
  for (const entry of ATTACK_REGISTRY) {
    const match = entry.match.exec(base);
    // Evaluation-only attacks take no overrides: with them the name is not theirs.
    if (match && !(entry.evalOnly && overrideText !== undefined)) return { entry, match, overrideText };
  }
  throw new UnknownAttackError(name, `createAttack: unknown attack '${name}' (known: ${[...EVAL_ATTACK_NAMES, ...EVAL_ATTACK_PATTERNS].join(', ')})`);
}

/** The registry entry of a name (its overrides ignored); throws {@link UnknownAttackError}. */
export function attackEntryOf(name: string): AttackEntry {
  return lookUp(name).entry;
}

/** The names and name forms of the attacks that have the norm, in registry order (for help texts and errors). */
export function attackNamesWithNorm(norm: Norm): string[] {
  return ATTACK_REGISTRY.filter((e) => (e.norms ?? ['Linf']).includes(norm)).flatMap((e) => [...e.names, ...(e.patterns ?? [])]);
}

/** The fewest classes a named attack works with (2 for most; the DLR losses need 3 or 4). */
export function attackMinClasses(name: string): number {
  const { entry, match } = lookUp(name);
  return entry.minClasses?.(match) ?? 2;
}

/** A fully explicit attack configuration: an entry's `kind` and its attack's options. */
export interface AttackSpec {
  kind: string;
  [option: string]: unknown;
}

/** Turns a registry name (with optional `:key=value,...` overrides) into an explicit spec. */
export function resolveAttackSpec(name: string, ctx: AttackContext = {}): AttackSpec {
  const { entry, match, overrideText } = lookUp(name);
  const overrides = parseOverrides(name, overrideText);
  const eps = (overrides.eps as number | undefined) ?? ctx.eps;
  if (eps === undefined) throw new Error(`attack '${name}': eps is required (give it in the context or as ':eps=...')`);
  const norm = checkNorm(`attack '${name}'`, overrides.norm ?? ctx.norm ?? 'Linf');
  if (!(entry.norms ?? ['Linf']).includes(norm)) {
    throw new Error(`attack '${name}' has no ${norm} threat model (${norm} attacks: ${attackNamesWithNorm(norm).join(', ') || 'none'})`);
  }
  checkEps(`attack '${name}'`, eps, norm);
  const rest = { ...overrides };
  delete rest.eps;
  delete rest.seed;
  delete rest.norm;
  const options = entry.options({
    name,
    match,
    eps,
    norm,
    overrides,
    rest,
    ctx,
    rng: resolveRng(ctx.rng, (overrides.seed as number | undefined) ?? ctx.seed),
    // Madry et al.'s rule of thumb when neither a step nor a known dataset is given (with eps 0
    // every step is projected away, so any positive step will do). The dataset steps are the
    // spec's L-inf ones: an L2 attack takes the rule of thumb.
    alphaFor: (steps) =>
      (overrides.alpha as number | undefined) ??
      ctx.alpha ??
      (norm === 'Linf' ? evalStepSize(ctx.dataset) : undefined) ??
      (eps > 0 ? (2.5 * eps) / steps : 1),
  });
  return { kind: entry.kind, ...options };
}

/**
 * Builds an attack from a registry name ('fgsm', 'pgd20', 'pgd100', 'cw', 'square',
 * 'autoattack', ...; optional overrides as in 'pgd20:restarts=5,alpha=0.005') or from an explicit
 * {@link AttackSpec}.
 */
export function createAttack(spec: string | AttackSpec, ctx: AttackContext = {}): Attack {
  if (typeof spec === 'string') {
    const { entry } = lookUp(spec);
    return entry.create(resolveAttackSpec(spec, ctx));
  }
  if (spec === null || typeof spec !== 'object') throw new Error('createAttack: expected a name or an AttackSpec object');
  const entry = ATTACK_REGISTRY.find((e) => e.kind === spec.kind);
  if (!entry) {
    const kinds = [...new Set(ATTACK_REGISTRY.map((e) => e.kind))];
    throw new Error(`createAttack: unknown attack kind '${String(spec.kind)}' (${kinds.join(', ')})`);
  }
  return entry.create(spec);
}

/** Budgets and context of {@link createEvalAttack}. Defaults are the standard ones. */
export interface EvalAttackContext extends AttackContext {
  eps: number;
}

/**
 * Builds an evaluation attack by name: {@link createAttack}, naming the unknown name and every
 * known one when the name is not the registry's.
 */
export function createEvalAttack(name: string, ctx: EvalAttackContext): Attack {
  try {
    return createAttack(name, ctx);
  } catch (err) {
    // A known name with a bad option keeps its own message; an unknown name lists the known.
    if (!(err instanceof UnknownAttackError)) throw err;
    throw new UnknownAttackError(name, `unknown evaluation attack '${name}' (known: ${describeEvalAttackNames()})`);
  }
}

/**
 * Parses a comma-separated attack list as `cat-cli eval --attacks` takes it, accepting exactly
 * the names {@link createEvalAttack} accepts: each is checked by building it (at a placeholder
 * budget; building allocates nothing). Overrides may hold commas: a piece `key=value` after an
 * entry that has `:` options continues them (`fgsm,pgd20:restarts=5,alpha=0.005,cw30` is three
 * attacks). Base names are lower-cased, overrides kept as given. Throws on an empty list, an
 * unknown or malformed name and a name listed twice.
 */
export function parseEvalAttackList(text: string): string[] {
  const names: string[] = [];
  for (const raw of text.split(',')) {
    const piece = raw.trim();
    if (piece === '') continue;
    const last = names.length - 1;
    if (piece.includes('=') && !piece.includes(':') && last >= 0 && names[last].includes(':')) {
      names[last] += `,${piece}`;
      continue;
    }
    const colon = piece.indexOf(':');
    names.push(colon < 0 ? piece.toLowerCase() : piece.slice(0, colon).toLowerCase() + piece.slice(colon));
  }
  if (names.length === 0) throw new Error(`expected a comma-separated list of attacks (${describeEvalAttackNames()}), got '${text}'`);
  for (const name of names) {
    try {
      createEvalAttack(name, { eps: 0.1 });
    } catch (err) {
      if (err instanceof UnknownAttackError) throw new Error(`unknown attack '${name}' (known: ${describeEvalAttackNames()})`);
      const message = (err as Error).message;
      throw new Error(message.includes(name) ? message : `attack '${name}': ${message}`);
    }
  }
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`'${dup}' is listed twice`);
  return names;
}

/**
 * The spec's evaluation attacks for a dataset at budget `eps`: FGSM, PGD-20 and PGD-100 on the
 * cross-entropy without random start, and CW-inf (kappa 50, 30 steps, random start); steps of
 * 0.003 for CIFAR and 0.01 for MNIST-like data.
 */
export function defaultEvalAttacks(datasetName: string, eps: number, ctx: Omit<AttackContext, 'eps' | 'dataset'> = {}): Attack[] {
  if (evalStepSize(datasetName) === undefined && ctx.alpha === undefined) {
    throw new Error(`defaultEvalAttacks: unknown dataset '${datasetName}' (mnist, fashion-mnist, cifar10, cifar100) and no alpha given`);
  }
  return DEFAULT_EVAL_ATTACK_NAMES.map((n) => createAttack(n, { ...ctx, eps, dataset: datasetName }));
}
