/**
 * Names of the evaluation attacks as `cat-cli eval --attacks` takes them: the paper's (fgsm,
 * pgd20, pgd100, cw: from the attacks registry, with the spec's evaluation settings), plus
 * square, autoattack and AutoAttack's single stages (apgd-ce, apgd-t, fab-t).
 */
import type { Attack } from '../types.js';
import { Rng } from '../util/rng.js';
import { createAttack } from '../attacks/registry.js';
import { Apgd } from './apgd.js';
import { AutoAttack } from './autoattack.js';
import { FabTargeted } from './fab.js';
import { SquareAttack } from './square.js';

/** The attack lists of `--suite`. */
export const EVAL_SUITES = {
  /** The paper's table (Table 2): FGSM, PGD-20, PGD-100, CW-inf; plus Square as in its Table 4. */
  paper: ['fgsm', 'pgd20', 'pgd100', 'cw', 'square'],
  /** AutoAttack, standard version. */
  autoattack: ['autoattack'],
} as const;

export type EvalSuite = keyof typeof EVAL_SUITES;

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
  /** FAB-T iterations (default 100). */
  fabIter?: number;
  /** Target classes of APGD-T / FAB-T (default 9). */
  nTargetClasses?: number;
}

/** Builds an evaluation attack by name; throws naming the unknown name and the known ones. */
export function createEvalAttack(name: string, ctx: EvalAttackContext): Attack {
  const rng = new Rng(ctx.seed ?? 0);
  switch (name) {
    case 'square':
      return new SquareAttack({ eps: ctx.eps, nQueries: ctx.squareQueries, rng });
    case 'autoattack':
      return new AutoAttack({
        eps: ctx.eps,
        apgdIter: ctx.apgdIter,
        fabIter: ctx.fabIter,
        squareQueries: ctx.squareQueries,
        nTargetClasses: ctx.nTargetClasses,
        rng,
      });
    case 'apgd-ce':
      return new Apgd({ eps: ctx.eps, nIter: ctx.apgdIter, loss: 'ce', rng });
    case 'apgd-t':
      return new Apgd({ eps: ctx.eps, nIter: ctx.apgdIter, loss: 'dlr-targeted', nTargetClasses: ctx.nTargetClasses, rng });
    case 'fab-t':
      return new FabTargeted({ eps: ctx.eps, nIter: ctx.fabIter, nTargetClasses: ctx.nTargetClasses, rng });
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
        throw new Error(
          `unknown evaluation attack '${name}' (known: fgsm, pgd20, pgd100, cw, square, autoattack, apgd-ce, apgd-t, fab-t, pgd<N>, pgd<N>x<restarts>): ${(err as Error).message}`,
        );
      }
    }
  }
}
