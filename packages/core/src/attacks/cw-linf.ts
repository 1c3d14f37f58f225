import { commonOptions, defineAttack } from './entry.js';
import { PGD, type PGDOptions } from './pgd.js';

/** Options of {@link CWLinf}: those of PGD with the CW-inf defaults filled in. */
export type CWLinfOptions = Omit<PGDOptions, 'loss' | 'steps' | 'kappa'> & {
  /** Default 30 (the spec's evaluation protocol). */
  steps?: number;
  /** Default 50. */
  kappa?: number;
};

/**
 * CW-inf as the spec evaluates it: PGD on the CW margin loss with kappa 50, 30 steps and a
 * random start (Carlini & Wagner's loss under an L-inf budget, as in the TRADES/MART tables).
 */
export class CWLinf extends PGD {
  constructor(options: CWLinfOptions) {
    super({
      ...options,
      loss: 'cw',
      steps: options?.steps ?? 30,
      kappa: options?.kappa ?? 50,
      randomStart: options?.randomStart ?? true,
      name: options?.name ?? 'CW-inf',
    });
  }
}

/** Registry entry: `cw` (30 steps) and `cw<N>`, with `:key=value` overrides. */
export const cwEntry = defineAttack<CWLinfOptions>({
  kind: 'cw',
  match: /^cw(\d+)?$/,
  names: ['cw'],
  patterns: ['cw<N>'],
  options: (req) => {
    const steps = (req.overrides.steps as number | undefined) ?? (req.match[1] ? Number(req.match[1]) : 30);
    return { ...commonOptions(req), steps, alpha: req.alphaFor(steps) } as CWLinfOptions;
  },
  create: (o) => new CWLinf(o),
});
