/**
 * Independent float64 references for the fused ops (plain JS on number arrays) and central
 * finite differences of them, to check the kernels' values and analytic gradients.
 */

/** Row-wise log-softmax of a row-major [rows, cols] array. */
export function refLogSoftmax(z: number[], cols: number): number[] {
  const out: number[] = [];
  for (let o = 0; o < z.length; o += cols) {
    const row = z.slice(o, o + cols);
    const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    for (const v of row) out.push(v - lse);
  }
  return out;
}

/** Per-row KL(softmax(p) || softmax(q)). */
export function refKl(p: number[], q: number[], cols: number): number[] {
  const lp = refLogSoftmax(p, cols);
  const lq = refLogSoftmax(q, cols);
  const out: number[] = [];
  for (let o = 0; o < p.length; o += cols) {
    let s = 0;
    for (let j = o; j < o + cols; j++) s += Math.exp(lp[j]) * (lp[j] - lq[j]);
    out.push(s);
  }
  return out;
}

/** Per-row cross-entropy -sum(labels * logSoftmax(logits)). */
export function refCe(z: number[], t: number[], cols: number): number[] {
  const lz = refLogSoftmax(z, cols);
  const out: number[] = [];
  for (let o = 0; o < z.length; o += cols) {
    let s = 0;
    for (let j = o; j < o + cols; j++) s -= t[j] * lz[j];
    out.push(s);
  }
  return out;
}

/** Central differences of scalar `f` at `x` (float64). */
export function finiteDiff(f: (x: number[]) => number, x: number[], h = 1e-5): number[] {
  return x.map((_, i) => {
    const a = x.slice();
    const b = x.slice();
    a[i] += h;
    b[i] -= h;
    return (f(a) - f(b)) / (2 * h);
  });
}

/** Deterministic values in [lo, hi). */
export function seeded(n: number, seed: number, lo = -1, hi = 1): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return lo + ((hi - lo) * s) / 4294967296;
  });
}

/** `sum(w * v)`. */
export const dot = (w: ArrayLike<number>, v: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] * v[i];
  return s;
};

/** Largest |a - b| / max(1, |b|). */
export function maxErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return worst;
}
