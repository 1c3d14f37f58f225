/**
 * Piecewise-constant learning-rate schedule: the base rate, multiplied by `factor` once for each
 * milestone already reached. `epoch` counts finished epochs (0 for the first epoch), so with
 * milestones [100, 120] epochs 0..99 run at lr, 100..119 at lr*0.1, 120.. at lr*0.01, as in the
 * PyTorch MultiStepLR the authors use.
 */
export function piecewiseLr(baseLr: number, milestones: readonly number[], epoch: number, factor = 0.1): number {
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`piecewiseLr: epoch must be an integer >= 0, got ${epoch}`);
  let lr = baseLr;
  for (const m of milestones) if (epoch >= m) lr *= factor;
  return lr;
}
