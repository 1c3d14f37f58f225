import * as tf from '@tensorflow/tfjs';
import type { Attack, Classifier } from '../types.js';
import { checkAttackInputs } from './check-inputs.js';
import { defineAttack } from './entry.js';
import { checkEps } from './options.js';
import { lossGradient } from './pgd-core.js';
import { stepInBall } from './projection.js';

/** Options of {@link FGSM}. */
export interface FGSMOptions {
  /** L-inf budget in [0,1] pixel units; also the step size. */
  eps: number;
  /** Display name (default 'FGSM'). */
  name?: string;
}

/**
 * Fast gradient sign method (Goodfellow et al. 2015), the spec's evaluation FGSM: one step of
 * size eps on the cross-entropy from `x` itself (no random start), clamped to [0,1].
 */
export class FGSM implements Attack {
  readonly name: string;
  readonly eps: number;

  constructor(options: FGSMOptions) {
    const where = options?.name ?? 'FGSM';
    if (options === null || typeof options !== 'object') throw new Error(`${where}: options object required`);
    this.eps = checkEps(where, options.eps);
    this.name = options.name ?? 'FGSM';
  }

  /**
   * Attacks a batch; see {@link Attack}. The returned tensor is new and owned by the caller.
   * @throws Error when `x` is not float32 NHWC images or `y` not int32 labels `[N]`.
   */
  run(model: Classifier, x: tf.Tensor4D, y: tf.Tensor1D): tf.Tensor4D {
    checkAttackInputs(this.name, x, y);
    return tf.tidy(() => {
      const { grad, logits } = lossGradient(model, x, 'ce', { labels: y, kappa: 0 });
      logits.dispose();
      return stepInBall(x, grad, x, this.eps, this.eps);
    });
  }
}

/** Registry entry: `fgsm` (its overrides: `eps`, `name`). */
export const fgsmEntry = defineAttack<FGSMOptions>({
  kind: 'fgsm',
  match: /^fgsm$/,
  names: ['fgsm'],
  options: ({ eps, overrides }) => ({ eps, name: (overrides.name as string | undefined) ?? 'FGSM' }),
  create: (o) => new FGSM(o),
});
