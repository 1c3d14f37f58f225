/**
 * Names of the evaluation attacks as `cat-cli eval --attacks` takes them: every name of the
 * attacks registry (fgsm, pgd20, pgd100, cw, pgd10-kl, cw30, friendly-pgd10, pgd20:restarts=5,
 * ...: with the spec's evaluation settings), plus square, AutoAttack's versions (autoattack, the
 * standard one; autoattack-plus, autoattack-rand, autoattack-custom), its single stages (apgd-ce,
 * apgd-dlr, apgd-t, fab, fab-t) and pgd<N>x<restarts>. This module is the one list: the CLI parses
 * attack lists with {@link parseEvalAttackList}.
 */
import type { Attack } from '../types.js';
import { Rng } from '../util/rng.js';
import {
  ATTACK_NAME_PATTERNS,
  ATTACK_NAMES,
  ATTACK_OVERRIDE_KEYS,
  UnknownAttackError,
  createAttack,
} from '../attacks/registry.js';
import { Apgd } from './apgd.js';
import { AutoAttack, type AutoAttackStage, type AutoAttackVersion } from './autoattack.js';
import { Fab } from './fab.js';
import { SquareAttack } from './square.js';

/** The attack lists of `--suite`. */
export const EVAL_SUITES = {
  /** The paper's table (Table 2): FGSM, PGD-20, PGD-100, CW-inf; plus Square as in its Table 4. */
  paper: ['fgsm', 'pgd20', 'pgd100', 'cw', 'square'],
  /** AutoAttack, standard version. */
  autoattack: ['autoattack'],
} as const;

export type EvalSuite = keyof typeof EVAL_SUITES;

/** The AutoAttack version each AutoAttack name runs. */
export const AUTOATTACK_NAME_VERSIONS: Readonly<Record<string, AutoAttackVersion>> = {
  autoattack: 'standard',
  'autoattack-plus': 'plus',
  'autoattack-rand': 'rand',
  'autoattack-custom': 'custom',
};

/** The evaluation name of an AutoAttack version (`autoattack` for the standard one). */
export function autoAttackName(version: AutoAttackVersion): string {
  return Object.keys(AUTOATTACK_NAME_VERSIONS).find((k) => AUTOATTACK_NAME_VERSIONS[k] === version)!;
}

/** The names only the evaluation registry adds to the attacks registry's. */
export const EVAL_ONLY_ATTACK_NAMES: readonly string[] = [
  'square',
  ...Object.keys(AUTOATTACK_NAME_VERSIONS),
  'apgd-ce',
  'apgd-dlr',
  'apgd-t',
  'fab',
  'fab-t',
];

/** Every fixed name {@link createEvalAttack} accepts: the attacks registry's, then its own. */
export const EVAL_ATTACK_NAMES: readonly string[] = [...ATTACK_NAMES, ...EVAL_ONLY_ATTACK_NAMES];

/** The name forms {@link createEvalAttack} accepts beyond {@link EVAL_ATTACK_NAMES}. */
export const EVAL_ATTACK_PATTERNS: readonly string[] = [...ATTACK_NAME_PATTERNS, 'pgd<N>x<restarts>'];

/** One line naming every accepted name and form, for help texts and errors. */
export function describeEvalAttackNames(): string {
  return (
    `${[...EVAL_ATTACK_NAMES, ...EVAL_ATTACK_PATTERNS].join(', ')}; ` +
    `registry attacks take overrides as NAME:key=value,... (${ATTACK_OVERRIDE_KEYS.join(', ')})`
  );
}

/** Budgets and context of {@link createEvalAttack}. Defaults are the standard ones. */
export interface EvalAttackContext {
  eps: number;
  /** Dataset name: picks the spec's PGD step size (0.01 MNIST-like, 0.003 CIFAR). */
  dataset?: string;
  /** Seed of the attack's random stream (default 0). */
  seed?: number;
  /** Square queries (default 5000). */
  squareQueries?: number;
  /** APGD iterations (default 100). */
  apgdIter?: number;
  /** FAB and FAB-T iterations (default 100). */
  fabIter?: number;
  /** Target classes of APGD-T / FAB-T (default 9). */
  nTargetClasses?: number;
  /** Restarts of APGD-CE, APGD-DLR and FAB (default: the AutoAttack version's; 1 alone). */
  restarts?: number;
  /** Square's initial window fraction (default 0.8). */
  squarePInit?: number;
  /** The stages of `autoattack-custom` (default the standard version's four). */
  aaStages?: readonly AutoAttackStage[];
}

/** Builds an evaluation attack by name; throws naming the unknown name and the known ones. */
export function createEvalAttack(name: string, ctx: EvalAttackContext): Attack {
  const rng = new Rng(ctx.seed ?? 0);
  const { eps, apgdIter: nIter, fabIter, nTargetClasses, restarts: nRestarts } = ctx;
  if (Object.hasOwn(AUTOATTACK_NAME_VERSIONS, name)) {
    const version = AUTOATTACK_NAME_VERSIONS[name];
    return new AutoAttack({
      eps,
      version,
      stages: version === 'custom' ? ctx.aaStages : undefined,
      apgdIter: nIter,
      fabIter,
      squareQueries: ctx.squareQueries,
      squarePInit: ctx.squarePInit,
      nTargetClasses,
      nRestarts,
      rng,
    });
  }
  switch (name) {
    case 'square':
      return new SquareAttack({ eps, nQueries: ctx.squareQueries, pInit: ctx.squarePInit, rng });
    case 'apgd-ce':
      return new Apgd({ eps, nIter, loss: 'ce', nRestarts, rng });
    case 'apgd-dlr':
      return new Apgd({ eps, nIter, loss: 'dlr', nRestarts, rng });
    case 'apgd-t':
      return new Apgd({ eps, nIter, loss: 'dlr-targeted', nTargetClasses, rng });
    case 'fab':
      return new Fab({ eps, nIter: fabIter, targeted: false, nRestarts, rng });
    case 'fab-t':
      return new Fab({ eps, nIter: fabIter, targeted: true, nTargetClasses, rng });
    default: {
      // pgd<N>x<R>: R restarts from random starts, keeping the worst case (the sanity check
      // compares it with pgd<N>: more restarts must not raise accuracy).
      const restarts = /^pgd(\d+)x(\d+)$/.exec(name);
      if (restarts) {
        return createAttack(`pgd${restarts[1]}:restarts=${restarts[2]},randomStart=true,name=PGD-${restarts[1]}x${restarts[2]}`, {
          eps: ctx.eps,
          dataset: ctx.dataset,
          rng,
        });
      }
      try {
        return createAttack(name, { eps: ctx.eps, dataset: ctx.dataset, rng });
      } catch (err) {
        // A known name with a bad option keeps its own message; an unknown name lists the known.
        if (!(err instanceof UnknownAttackError)) throw err;
        throw new UnknownAttackError(name, `unknown evaluation attack '${name}' (known: ${describeEvalAttackNames()})`);
      }
    }
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
