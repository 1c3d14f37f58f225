/** The soak's verdict on resident-set samples: does memory grow over many training steps? */

/** Growth over the measured window above which the soak fails. */
export const GROWTH_LIMIT_MB = 16;

/** Least-squares slope of y over x. */
export function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** The verdict on RSS samples `{step, rssMB, numTensors}` of a run of `steps` steps. */
export function verdict(samples, steps) {
  const from = Math.floor(steps * 0.2);
  const window = samples.filter((s) => s.step >= from);
  const perStep = slope(window.map((s) => s.step), window.map((s) => s.rssMB));
  const growthMB = perStep * (steps - from);
  const tensorDelta = window.at(-1).numTensors - window[0].numTensors;
  return {
    measuredFromStep: from,
    rssSlopeMBPer100Steps: perStep * 100,
    growthOverWindowMB: growthMB,
    tensorDelta,
    grows: growthMB > GROWTH_LIMIT_MB || tensorDelta > 0,
  };
}
