/** Robust accuracy of a model at several eps values (the data of an accuracy-versus-eps curve). */
import { createAttack, evaluate, type Classifier, type ImageSet } from '@cat/core';
import type { EpsPoint } from './charts.js';

/**
 * PGD (default `pgd20`, the spec's evaluation step size for `dataset`) accuracy at each eps, on
 * the first `limit` test images. eps 0 gives natural accuracy.
 */
export async function accuracyVsEps(
  run: string,
  model: Classifier,
  set: ImageSet,
  epsList: number[],
  opts: { attack?: string; dataset?: string; limit?: number; batchSize?: number } = {},
): Promise<EpsPoint[]> {
  if (epsList.length === 0) throw new Error('accuracyVsEps: no eps values');
  const attackName = opts.attack ?? 'pgd20';
  const out: EpsPoint[] = [];
  for (const eps of epsList) {
    const attacks = eps === 0 ? [] : [{ name: attackName, attack: createAttack(attackName, { eps, dataset: opts.dataset }) }];
    const r = await evaluate(model, set, attacks, { limit: opts.limit, batchSize: opts.batchSize });
    out.push({ run, eps, accuracy: r.accuracies[r.accuracies.length - 1].accuracy, metric: attackName.toUpperCase() });
  }
  return out;
}
