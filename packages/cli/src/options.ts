/**
 * Flag parsing shared by the commands: numbers and choices that fail with a message naming the
 * flag and what was expected, and the mapping from config keys back to flag names.
 */
import { InvalidArgumentError } from 'commander';
import { checkNorm, NORMS, type Norm } from '@cat/core';

/** A commander argument parser for a finite number, optionally bounded. */
export function numberArg(opts: { min?: number; max?: number; integer?: boolean } = {}) {
  return (value: string): number => {
    const text = value.trim();
    // Number('') is 0 and Number('0x10') is 16: accept only plain decimal notation.
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) {
      throw new InvalidArgumentError(`expected a ${opts.integer ? 'whole number' : 'number'}, got "${value}".`);
    }
    const n = Number(text);
    if (opts.integer && !Number.isInteger(n)) throw new InvalidArgumentError(`expected a whole number, got "${value}".`);
    if (opts.min !== undefined && n < opts.min) throw new InvalidArgumentError(`must be >= ${opts.min}, got ${n}.`);
    if (opts.max !== undefined && n > opts.max) throw new InvalidArgumentError(`must be <= ${opts.max}, got ${n}.`);
    return n;
  };
}

/** A parser accepting one of `choices`. */
export function choiceArg(choices: readonly string[]) {
  return (value: string): string => {
    if (!choices.includes(value)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got "${value}".`);
    return value;
  };
}

/** A norm of the threat model, in any case (`linf`, `l2`), as core spells it ('Linf', 'L2'). */
export function normArg(value: string): Norm {
  try {
    return checkNorm('--norm', value);
  } catch {
    throw new InvalidArgumentError(`expected one of ${NORMS.join(', ')} (any case), got "${value}".`);
  }
}

/** `trainSubset` → `--train-subset`. */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Rewrite "invalid <key>: ..." (a trainer ConfigError) to name the flag instead. */
export function messageWithFlag(key: string, message: string): string {
  return message.replace(new RegExp(`^invalid ${key}\\b`), `invalid ${flagOf(key)}`).replace(/^unknown config key/, 'unknown setting');
}

/** A number as the help text shows a default: CIFAR's 8/255 stays readable. */
export function showNumber(n: number): string {
  const k = n * 255;
  const whole255 = n > 0 && n < 1 && Math.abs(k - Math.round(k)) < 1e-9;
  const shortDecimal = Math.abs(n * 1000 - Math.round(n * 1000)) < 1e-9;
  if (whole255 && !shortDecimal) return `${Math.round(k)}/255`;
  return String(Number(n.toPrecision(6)));
}
