import type { Attack } from '../types.js';
import type { Rng } from '../util/rng.js';
import { CWLinf, type CWLinfOptions } from './cw-linf.js';
import { FGSM, type FGSMOptions } from './fgsm.js';
import { FriendlyPGD, type FriendlyPGDOptions } from './friendly-pgd.js';
import { checkEps } from './options.js';
import { PGD, type PGDOptions } from './pgd.js';

/** A fully explicit attack configuration (what `createAttack` also accepts instead of a name). */
export type AttackSpec =
  | ({ kind: 'fgsm' } & FGSMOptions)
  | ({ kind: 'pgd' } & PGDOptions)
  | ({ kind: 'cw' } & CWLinfOptions)
  | ({ kind: 'friendly-pgd' } & FriendlyPGDOptions);

/** What a named attack takes from its surroundings. */
export interface AttackContext {
  /** L-inf budget; required for names unless the name's overrides give `eps`. */
  eps?: number;
  /** Dataset name ('mnist', 'fashion-mnist', 'cifar10', 'cifar100'): picks the spec's step size. */
  dataset?: string;
  /** Step size; overrides the dataset's. */
  alpha?: number;
  /** Random stream for random starts. */
  rng?: Rng;
  /** Seed of a fresh stream when no `rng` is given. */
  seed?: number;
}

/**
 * Names the registry understands; every one of them is covered by the registry-driven invariant
 * tests in test/attacks. Patterns beyond these also work: `pgd<N>`, `pgd<N>-cw`, `pgd<N>-kl`,
 * `cw<N>`, `friendly-pgd<N>`.
 */
export const ATTACK_NAMES = ['fgsm', 'pgd10', 'pgd20', 'pgd100', 'cw', 'pgd10-kl', 'friendly-pgd10'] as const;

/** The name forms beyond {@link ATTACK_NAMES} that the registry understands (for help texts). */
export const ATTACK_NAME_PATTERNS = ['pgd<N>[-ce|-cw|-kl]', 'cw<N>', 'friendly-pgd<N>'] as const;

/** Thrown by {@link resolveAttackSpec} for a name whose base the registry does not know. */
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

/** The spec's evaluation attacks, in table order. */
export const DEFAULT_EVAL_ATTACK_NAMES = ['fgsm', 'pgd20', 'pgd100', 'cw'] as const;

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

const NUMERIC_KEYS = ['eps', 'alpha', 'steps', 'kappa', 'restarts', 'tau', 'seed'] as const;

/** Keys a name's `:key=value,...` overrides may set. */
export const ATTACK_OVERRIDE_KEYS = [...NUMERIC_KEYS, 'randomStart', 'loss', 'name'] as const;

/** Parses `key=value,key=value` overrides of a named attack. */
function parseOverrides(name: string, text: string | undefined): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
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
    } else if (key === 'loss' || key === 'name') {
      out[key] = value;
    } else {
      throw new Error(
        `attack '${name}': unknown option '${key}' (known: ${ATTACK_OVERRIDE_KEYS.join(', ')})`,
      );
    }
  }
  return out;
}

/** Turns a registry name (with optional `:key=value,...` overrides) into an explicit spec. */
export function resolveAttackSpec(name: string, ctx: AttackContext = {}): AttackSpec {
  if (typeof name !== 'string' || name.trim() === '') throw new Error('createAttack: attack name must be a non-empty string');
  const [rawBase, overrideText] = name.trim().split(/:(.*)/s) as [string, string | undefined];
  const base = rawBase.toLowerCase();
  const o = parseOverrides(name, overrideText);
  const eps = (o.eps as number | undefined) ?? ctx.eps;
  if (eps === undefined) throw new Error(`attack '${name}': eps is required (give it in the context or as ':eps=...')`);
  checkEps(`attack '${name}'`, eps);
  const common = { eps, rng: ctx.rng, seed: (o.seed as number | undefined) ?? ctx.seed };
  // Madry et al.'s rule of thumb when neither a step nor a known dataset is given (with eps 0
  // every step is projected away, so any positive step will do).
  const alphaFor = (steps: number) =>
    (o.alpha as number | undefined) ?? ctx.alpha ?? evalStepSize(ctx.dataset) ?? (eps > 0 ? (2.5 * eps) / steps : 1);
  const rest = { ...o } as Record<string, unknown>;
  delete rest.eps;
  delete rest.seed;

  if (base === 'fgsm') {
    return { kind: 'fgsm', eps, name: (o.name as string | undefined) ?? 'FGSM' };
  }
  let m = /^pgd(\d+)(?:-(ce|cw|kl))?$/.exec(base);
  if (m) {
    const steps = (o.steps as number | undefined) ?? Number(m[1]);
    const loss = (o.loss as PGDOptions['loss']) ?? ((m[2] as PGDOptions['loss']) || 'ce');
    // The spec's evaluation PGD starts at x (no random start); KL starts as TRADES does.
    const randomStart = (o.randomStart as PGDOptions['randomStart']) ?? loss === 'kl';
    return { kind: 'pgd', ...common, ...rest, steps, loss, randomStart, alpha: alphaFor(steps) } as AttackSpec;
  }
  m = /^cw(\d+)?$/.exec(base);
  if (m) {
    const steps = (o.steps as number | undefined) ?? (m[1] ? Number(m[1]) : 30);
    return { kind: 'cw', ...common, ...rest, steps, alpha: alphaFor(steps) } as AttackSpec;
  }
  m = /^friendly-pgd(\d+)$/.exec(base);
  if (m) {
    const steps = (o.steps as number | undefined) ?? Number(m[1]);
    return { kind: 'friendly-pgd', tau: 0, ...common, ...rest, steps, alpha: alphaFor(steps) } as AttackSpec;
  }
  throw new UnknownAttackError(
    name,
    `createAttack: unknown attack '${name}' (known: ${[...ATTACK_NAMES, ...ATTACK_NAME_PATTERNS].join(', ')})`,
  );
}

/**
 * Builds an attack from a registry name ('fgsm', 'pgd20', 'pgd100', 'pgd10', 'cw', ...;
 * optional overrides as in 'pgd20:restarts=5,alpha=0.005') or from an explicit {@link AttackSpec}.
 */
export function createAttack(spec: string | AttackSpec, ctx: AttackContext = {}): Attack {
  const s = typeof spec === 'string' ? resolveAttackSpec(spec, ctx) : spec;
  if (s === null || typeof s !== 'object') throw new Error('createAttack: expected a name or an AttackSpec object');
  switch (s.kind) {
    case 'fgsm':
      return new FGSM(s);
    case 'pgd':
      return new PGD(s);
    case 'cw':
      return new CWLinf(s);
    case 'friendly-pgd':
      return new FriendlyPGD(s);
    default:
      throw new Error(`createAttack: unknown attack kind '${(s as { kind: unknown }).kind}' (fgsm, pgd, cw, friendly-pgd)`);
  }
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
