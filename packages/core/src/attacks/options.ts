import { Rng } from '../util/rng.js';
import { NORMS, type Norm } from './projection.js';

/** The loss an attack ascends: cross-entropy, the CW margin (with kappa) or TRADES' KL. */
export type AttackLossKind = 'ce' | 'cw' | 'kl';

/**
 * Where an iterative attack starts: at `x`, at `x + U(-eps, eps)` (Madry et al.), or at
 * `x + 0.001 * N(0, 1)` (the TRADES, MART and FAT scripts). Always clamped to [0,1] and to the
 * eps ball.
 */
export type RandomStartKind = 'none' | 'uniform' | 'normal';

export const ATTACK_LOSSES: readonly AttackLossKind[] = ['ce', 'cw', 'kl'];

/**
 * Throws unless `eps` is a usable budget for images in [0,1]: in [0, 1] for L-inf, any finite
 * number >= 0 for L2 (an L2 radius may pass 1: RobustBench's MNIST L2 eps is 2).
 */
export function checkEps(where: string, eps: number, norm: Norm = 'Linf'): number {
  if (norm === 'L2') return checkNonNegative(where, 'L2 eps', eps);
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0 || eps > 1) {
    throw new Error(`${where}: eps must be a number in [0, 1] (images live in [0,1]), got ${eps}`);
  }
  return eps;
}

/** Throws unless `norm` names a norm of the threat model; accepts any case ('l2', 'linf'). */
export function checkNorm(where: string, norm: unknown): Norm {
  const found = NORMS.find((n) => typeof norm === 'string' && n.toLowerCase() === norm.toLowerCase());
  if (found === undefined) throw new Error(`${where}: norm must be one of ${NORMS.join(', ')}, got '${String(norm)}'`);
  return found;
}

/** Throws unless `value` is a finite number > 0. */
export function checkPositive(where: string, field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`${where}: ${field} must be a finite number > 0, got ${value}`);
  }
  return value;
}

/** Throws unless `value` is a finite number >= 0. */
export function checkNonNegative(where: string, field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`${where}: ${field} must be a finite number >= 0, got ${value}`);
  }
  return value;
}

/** Throws unless `value` is an integer >= `min`. */
export function checkInteger(where: string, field: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${where}: ${field} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

/** Throws unless `value` is a boolean (or undefined, giving `fallback`). */
export function checkFlag(where: string, field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new Error(`${where}: ${field} must be true or false, got ${String(value)}`);
  return value;
}

/** Throws unless `loss` names an attack loss. */
export function checkAttackLoss(where: string, loss: string): AttackLossKind {
  if (!(ATTACK_LOSSES as readonly string[]).includes(loss)) {
    throw new Error(`${where}: loss must be one of ${ATTACK_LOSSES.join(', ')}, got '${loss}'`);
  }
  return loss as AttackLossKind;
}

/**
 * Resolves a `randomStart` option: `true` picks the loss's usual start (normal for KL as in
 * TRADES, uniform otherwise), `false` none.
 */
export function resolveRandomStart(
  where: string,
  randomStart: boolean | RandomStartKind | undefined,
  loss: AttackLossKind,
  fallback: boolean,
): RandomStartKind {
  const value = randomStart ?? fallback;
  if (value === true) return loss === 'kl' ? 'normal' : 'uniform';
  if (value === false) return 'none';
  if (value === 'none' || value === 'uniform' || value === 'normal') return value;
  throw new Error(`${where}: randomStart must be true, false, 'none', 'uniform' or 'normal', got '${String(value)}'`);
}

/** The methods of {@link Rng} the attacks draw from. */
const RNG_METHODS = ['seed', 'next', 'int'] as const;

/**
 * The attack's random stream: the one given, else a fresh `Rng(seed)` (default 0). `rng` may
 * also be a number, read as the seed. Duck-typed rather than `instanceof Rng`: a second copy of
 * @cat/core (source and dist side by side) has its own Rng class.
 */
export function resolveRng(rng: Rng | number | undefined, seed?: number): Rng {
  if (typeof rng === 'number') return new Rng(rng);
  if (rng !== undefined) {
    const r = rng as unknown as Record<string, unknown>;
    if (r === null || typeof r !== 'object' || !RNG_METHODS.every((m) => typeof r[m] === 'function')) {
      throw new Error(`attack: rng must be an Rng from @cat/core (util/rng), with ${RNG_METHODS.map((m) => `${m}()`).join(', ')} methods`);
    }
    return rng;
  }
  return new Rng(seed ?? 0);
}
