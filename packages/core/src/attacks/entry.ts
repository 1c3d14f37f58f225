/**
 * The shape of a registry entry. Each attack file exports its class (`new X(options).run(model,
 * x, y)`) and one entry built with {@link defineAttack}; registry.ts lists the entries, and every
 * list of names (the CLI's `--attacks`, its help text, the invariant tests in test/attacks, the
 * docs) is read from there.
 */
import type { Attack } from '../types.js';
import type { Rng } from '../util/rng.js';
import type { AutoAttackStage } from './autoattack.js';
import type { Norm } from './projection.js';

/** What a named attack takes from its surroundings; each attack reads the fields it needs. */
export interface AttackContext {
  /** Budget in the threat model's norm; required unless the name's overrides give `eps`. */
  eps?: number;
  /**
   * Threat model of every name that does not set its own (`:norm=l2`); default 'Linf'. A name
   * whose entry lacks the norm is refused, never run in another norm.
   */
  norm?: Norm;
  /** Dataset name ('mnist', 'fashion-mnist', 'cifar10', 'cifar100'): picks the spec's step size. */
  dataset?: string;
  /** Step size; overrides the dataset's. */
  alpha?: number;
  /** Random stream for random starts. */
  rng?: Rng;
  /** Seed of a fresh stream when no `rng` is given (default 0). */
  seed?: number;
  /** Square queries (default 5000). */
  squareQueries?: number;
  /** Square's initial window fraction (default 0.8). */
  squarePInit?: number;
  /** APGD iterations (default 100). */
  apgdIter?: number;
  /** FAB and FAB-T iterations (default 100). */
  fabIter?: number;
  /** Target classes of APGD-T / FAB-T (default 9). */
  nTargetClasses?: number;
  /** Restarts of APGD-CE, APGD-DLR and FAB (default: the AutoAttack version's; 1 alone). */
  restarts?: number;
  /** The stages of `autoattack-custom` (default the standard version's four). */
  aaStages?: readonly AutoAttackStage[];
}

/** A name's `:key=value,...` overrides, parsed. */
export type AttackOverrides = Record<string, number | string | boolean>;

/** What an entry's `options` gets for one name. */
export interface AttackRequest {
  /** The name as given. */
  name: string;
  /** The match of the entry's `match` on the lower-cased base name (before any `:`). */
  match: RegExpExecArray;
  /** The budget: the override's, else the context's; checked. */
  eps: number;
  /** The threat model: the override's, else the context's, else 'Linf'; one of the entry's `norms`. */
  norm: Norm;
  /** The name's overrides (always empty for evaluation-only entries). */
  overrides: AttackOverrides;
  /** The overrides other than `eps` and `seed`, to spread into the options. */
  rest: AttackOverrides;
  /** The context as given. */
  ctx: AttackContext;
  /** The attack's random stream: the context's, else a fresh one from the seed (override, context, 0). */
  rng: Rng;
  /** The step for `steps` iterations: override, context, the dataset's evaluation step, else 2.5 eps / steps. */
  alphaFor(steps: number): number;
}

/** One registry line's worth: how names map to one attack class. */
export interface AttackEntry<O extends object = object> {
  /** The `kind` of an explicit spec (`createAttack({ kind, ...options })`); entries may share one. */
  kind: string;
  /** Matches the lower-cased base name (the part before any `:`). */
  match: RegExp;
  /** Fixed names it answers to: listed in help texts, run by the invariant tests. */
  names: readonly string[];
  /** Name forms beyond `names`, for help texts (e.g. 'pgd<N>[-ce|-cw|-kl]'). */
  patterns?: readonly string[];
  /**
   * Evaluation-only: built from the context's evaluation budgets, takes no `:key=value`
   * overrides, and is not one of {@link ATTACK_NAMES}.
   */
  evalOnly?: boolean;
  /** The norms its attack supports (default: L-inf alone). */
  norms?: readonly Norm[];
  /** Fewest classes the named attack works with (default 2). */
  minClasses?(match: RegExpExecArray): number;
  /** The attack's options for one name. */
  options(req: AttackRequest): O;
  /** Builds the attack from options (a name's, or an explicit spec's). */
  create(options: O): Attack;
}

/** Types an entry by its options and erases the type for the registry's list. */
export function defineAttack<O extends object>(entry: AttackEntry<O>): AttackEntry {
  return entry as unknown as AttackEntry;
}

/** The options every PGD-family name shares: the budget, the stream and the overrides. */
export function commonOptions(req: AttackRequest): { eps: number; rng: Rng; [option: string]: unknown } {
  return { eps: req.eps, rng: req.rng, ...req.rest };
}
