/**
 * The L2 versions of FAB, Square and AutoAttack against independent references: FAB's L2
 * hyperplane-and-box projection against Dykstra's alternating projections (the exact projection
 * onto the intersection of two convex sets), FAB-L2 on affine models where the minimal L2
 * perturbation is known in closed form, Square-L2's window update against its norm bookkeeping,
 * and AutoAttack-L2 against APGD-CE-L2 alone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  Apgd,
  AutoAttack,
  Fab,
  FabTargeted,
  projectL2Hyperplane,
  Rng,
  SquareAttack,
  squareEta,
  squareEtaRectangles,
  squareL2Proposal,
  asClassifier,
  AUTOATTACK_VERSIONS,
  createAttack,
  type Attack,
  type Classifier,
  type SquareWindow,
} from '@cat/core';
import { accuracy, toyBatch, trainedToyClassifier } from '../attacks/tiny-models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const norm2 = (a: ArrayLike<number>): number => Math.sqrt(dot(a, a));

/**
 * The point of {z : w.z = b} and [0,1]^d nearest to p, by Dykstra's algorithm (alternating
 * projections with corrections, which converge to the projection onto the intersection).
 */
function dykstra(p: ArrayLike<number>, w: ArrayLike<number>, b: number, iters = 20000): number[] {
  const dim = p.length;
  const ww = dot(w, w);
  let x = Array.from(p);
  let pc = new Array<number>(dim).fill(0);
  let qc = new Array<number>(dim).fill(0);
  for (let it = 0; it < iters; it++) {
    const y = x.map((v, i) => Math.min(Math.max(v + pc[i], 0), 1));
    pc = x.map((v, i) => v + pc[i] - y[i]);
    const u = y.map((v, i) => v + qc[i]);
    const shift = (dot(w, u) - b) / ww;
    const xNext = u.map((v, i) => v - shift * w[i]);
    qc = u.map((v, i) => v - xNext[i]);
    x = xNext;
  }
  return x;
}

describe('FAB L2 hyperplane-and-box projection', () => {
  it("equals Dykstra's projection onto the hyperplane within the box, on random small problems", () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 60; trial++) {
      const dim = 2 + rng.int(7);
      // Some pixels on the box's faces and some zero weights, as images and gradients have.
      const p = Float32Array.from({ length: dim }, () => [0, 1, rng.next()][rng.int(3)]);
      const w = Float32Array.from({ length: dim }, () => (rng.int(5) === 0 ? 0 : rng.normal()));
      if (w.every((v) => v === 0)) w[0] = 1;
      // A hyperplane through a random point of the box, so the problem is feasible.
      const z = Array.from({ length: dim }, () => rng.next());
      const b = dot(w, z);
      const c = b - dot(w, p);
      const d = new Float32Array(dim);
      projectL2Hyperplane(p, w, c, d);
      const ref = dykstra(p, w, b);
      expect(dot(w, d)).toBeCloseTo(c, 4);
      for (let i = 0; i < dim; i++) {
        expect(p[i] + d[i]).toBeGreaterThanOrEqual(-1e-6);
        expect(p[i] + d[i]).toBeLessThanOrEqual(1 + 1e-6);
        expect(p[i] + d[i]).toBeCloseTo(ref[i], 3);
      }
      // Never longer than the reference solution (it is the minimum).
      expect(norm2(d)).toBeLessThanOrEqual(norm2(ref.map((v, i) => v - p[i])) + 1e-5);
    }
  });

  it('satisfies the KKT conditions: d_i = clip(lambda w_i, -p_i, 1 - p_i) for one lambda >= 0', () => {
    const p = Float32Array.from([0.5, 0.9, 0.1, 0.5, 0.3]);
    const w = Float32Array.from([1, 2, -1, 0, 0.5]);
    const c = 0.9;
    const d = new Float32Array(5);
    projectL2Hyperplane(p, w, c, d);
    // Hand solution: coordinates 1 (room 0.1 at lambda 0.05) and 2 (room 0.1 at lambda 0.1)
    // saturate; then lambda (1 + 0.25) + 0.2 + 0.1 = 0.9 gives lambda = 0.48.
    const lambda = 0.48;
    const expected = [0.48, 0.1, -0.1, 0, 0.24];
    for (let i = 0; i < 5; i++) {
      expect(d[i]).toBeCloseTo(expected[i], 6);
      expect(d[i]).toBeCloseTo(Math.min(Math.max(lambda * w[i], -p[i]), 1 - p[i]), 6);
    }
    // On the hyperplane already: no step.
    const e = new Float32Array(5);
    projectL2Hyperplane(p, w, 0, e);
    expect(Array.from(e)).toEqual([0, 0, 0, 0, 0]);
  });

  it('takes the largest step (every coordinate at its bound) where the box makes c unreachable', () => {
    const p = Float32Array.from([0.5, 0.9, 0.2]);
    const w = Float32Array.from([1, 2, -1]);
    const d = new Float32Array(3);
    projectL2Hyperplane(p, w, 5, d);
    expect(Array.from(d).map((v) => Number(v.toFixed(6)))).toEqual([0.5, 0.1, -0.2]);
    projectL2Hyperplane(p, w, -5, d);
    expect(Array.from(d).map((v) => Number(v.toFixed(6)))).toEqual([-0.5, -0.9, 0.8]);
  });
});

/** An affine classifier on `[h, w, 1]` images: logits = W x + b. */
function affine(w: number[][], b: number[]): Classifier {
  const wt = tf.tensor2d(w).transpose();
  const bt = tf.tensor1d(b);
  return (x) => tf.tidy(() => tf.add(tf.matMul(tf.reshape(x, [x.shape[0], -1]), wt), bt) as tf.Tensor2D);
}

const l2Norms = (a: tf.Tensor4D, b: tf.Tensor4D): number[] =>
  tf.tidy(() => Array.from(tf.sqrt(tf.sum(tf.square(tf.sub(a, b)), [1, 2, 3])).dataSync()));

describe('FAB-L2 on affine models', () => {
  // Two classes on 3x3 images: z_0 - z_1 = u.x + beta. The minimal L2 perturbation that crosses
  // the boundary without the box is |u.x + beta| / ||u||_2 along -u.
  const u = [0.9, -0.4, 0.3, 0.7, -0.2, 0.5, 0.1, -0.8, 0.6];
  const beta = -0.35;
  const model = affine([u, new Array(9).fill(0)], [beta, 0]);
  const images = [
    [0.5, 0.6, 0.4, 0.5, 0.45, 0.55, 0.5, 0.52, 0.48],
    [0.3, 0.7, 0.5, 0.6, 0.4, 0.5, 0.35, 0.65, 0.5],
  ];
  const closedForm = images.map((x) => Math.abs(dot(u, x) + beta) / norm2(u));

  it('finds the minimal L2 perturbation |w.x + b| / ||w||_2 when the box does not bind', () => {
    const x = tf.tensor4d(images.flat(), [2, 3, 3, 1]);
    const y = tf.tensor1d([0, 0], 'int32');
    expect(Array.from(tf.argMax(model(x), 1).dataSync())).toEqual([0, 0]);
    for (const fab of [new Fab({ eps: 5, norm: 'L2', targeted: false, nIter: 100 }), new FabTargeted({ eps: 5, norm: 'L2', nIter: 100 })]) {
      const adv = fab.run(model, x, y);
      expect(Array.from(tf.argMax(model(adv), 1).dataSync())).toEqual([1, 1]);
      const found = l2Norms(adv, x);
      for (let i = 0; i < 2; i++) {
        // Nothing shorter crosses the boundary; FAB lands within 1% of it.
        expect(found[i]).toBeGreaterThanOrEqual(closedForm[i] * (1 - 1e-5));
        expect(found[i]).toBeLessThanOrEqual(closedForm[i] * 1.01);
      }
      adv.dispose();
    }
    // Just below the minimal distance nothing is found; just above, everything.
    const below = new Fab({ eps: Math.min(...closedForm) * 0.98, norm: 'L2', targeted: false }).run(model, x, y);
    expect(Array.from(tf.argMax(model(below), 1).dataSync())).toEqual([0, 0]);
    const above = new Fab({ eps: Math.max(...closedForm) * 1.02, norm: 'L2', targeted: false }).run(model, x, y);
    expect(Array.from(tf.argMax(model(above), 1).dataSync())).toEqual([1, 1]);
    tf.dispose([x, y, below, above]);
  });

  it('finds the minimal perturbation within the box where the box binds (checked by Dykstra)', () => {
    // Pixels near the box's faces: the free minimiser would leave [0,1], so the box-constrained
    // minimum is longer than |w.x + b| / ||w||_2 and only Dykstra's projection gives it.
    // Each pixel 0.02 from the face that the step along -u pushes towards, but one.
    const xv = u.map((v, i) => (i === 6 ? 0.5 : v > 0 ? 0.02 : 0.98));
    // Class 0 wins at xv by 0.1, which the box leaves reachable (the 8 pixels at 0.02 from their
    // face give 0.088, the middle one the rest).
    const beta2 = -dot(u, xv) + 0.1;
    const m = affine([u, new Array(9).fill(0)], [beta2, 0]);
    const x = tf.tensor4d(xv, [1, 3, 3, 1]);
    const y = tf.tensor1d([0], 'int32');
    const free = (dot(u, xv) + beta2) / norm2(u);
    const ref = dykstra(xv, u, -beta2);
    expect(dot(u, ref) + beta2).toBeCloseTo(0, 6);
    const boxed = norm2(ref.map((v, i) => v - xv[i]));
    expect(boxed).toBeGreaterThan(free * 1.05);
    const adv = new Fab({ eps: 5, norm: 'L2', targeted: false, nIter: 100 }).run(m, x, y);
    expect(Array.from(tf.argMax(m(adv), 1).dataSync())).toEqual([1]);
    const [found] = l2Norms(adv, x);
    expect(found).toBeGreaterThanOrEqual(boxed * (1 - 1e-4));
    expect(found).toBeLessThanOrEqual(boxed * 1.01);
    tf.dispose([x, y, adv]);
  });

  it('picks, untargeted, the class whose boundary is closest in L2 (not in L1 of the gradient)', () => {
    // At x = 0.5 (4 pixels): z = (1, 0.6, 0.2). Class 1: gap 0.4 over ||w0 - w1||_2 = 2, 0.2
    // away; class 2: gap 0.8 over ||w0 - w2||_2 = 2, 0.4 away. The L-inf rule (dual L1: 0.4 / 2
    // against 0.8 / 4) ties them.
    const m = affine(
      [
        [0, 0, 0, 0],
        [2, 0, 0, 0],
        [1, 1, 1, 1],
      ],
      [1, -0.4, -1.8],
    );
    const x = tf.fill([1, 2, 2, 1], 0.5) as tf.Tensor4D;
    const y = tf.tensor1d([0], 'int32');
    const adv = new Fab({ eps: 3, norm: 'L2', targeted: false, nIter: 50 }).run(m, x, y);
    expect(Array.from(tf.argMax(m(adv), 1).dataSync())).toEqual([1]);
    expect(l2Norms(adv, x)[0]).toBeCloseTo(0.2, 2);
    tf.dispose([x, y, adv]);
  });

  it('restarts start at half the budget in L2 and keep the result inside the ball', () => {
    const x = tf.tensor4d(images.flat(), [2, 3, 3, 1]);
    const y = tf.tensor1d([0, 0], 'int32');
    const eps = Math.max(...closedForm) * 1.5;
    const fab = new Fab({ eps, norm: 'L2', targeted: false, nIter: 20, nRestarts: 3, rng: 4 });
    expect([fab.name, fab.norm]).toEqual(['fab', 'L2']);
    const adv = fab.run(model, x, y);
    for (const d of l2Norms(adv, x)) expect(d).toBeLessThanOrEqual(eps + 1e-5);
    expect(() => new Fab({ eps: 1.5, norm: 'L2' })).not.toThrow();
    expect(() => new Fab({ eps: 1.5 })).toThrow(/eps must be a number in \[0, 1\]/);
    tf.dispose([x, y, adv]);
  });
});

describe("Square-L2's patterns", () => {
  const round = (v: ArrayLike<number>) => Array.from(v, (t) => Number(t.toFixed(5)));

  it("eta_rectangles and eta as the reference's, worked by hand", () => {
    // 1x3: the centre gets 1, then the clipped 3x3 rectangle 1/4 everywhere: (1/4, 5/4, 1/4).
    expect(round(squareEtaRectangles(1, 3))).toEqual(round([0.25, 1.25, 0.25].map((v) => v / Math.sqrt(1.6875))));
    // 2x3: rows (1/4, 1/4, 1/4) and (1/4, 5/4, 1/4).
    expect(round(squareEtaRectangles(2, 3))).toEqual(round([0.25, 0.25, 0.25, 0.25, 1.25, 0.25].map((v) => v / Math.sqrt(1.875))));
    // eta(3): the 1x3 on top, minus the 2x3 below, over sqrt(2); or its transpose.
    const top = [0.25, 1.25, 0.25].map((v) => v / Math.sqrt(1.6875) / Math.SQRT2);
    const below = [0.25, 0.25, 0.25, 0.25, 1.25, 0.25].map((v) => -v / Math.sqrt(1.875) / Math.SQRT2);
    const rows = round([...top, ...below]);
    const cols = round([0, 3, 6, 1, 4, 7, 2, 5, 8].map((i) => [...top, ...below][i]));
    const seen = new Set<string>();
    const rng = new Rng(3);
    for (let t = 0; t < 20; t++) {
      const e = round(squareEta(3, rng));
      expect([JSON.stringify(rows), JSON.stringify(cols)]).toContain(JSON.stringify(e));
      seen.add(JSON.stringify(e));
    }
    expect(seen.size).toBe(2);
    for (const side of [3, 5, 8]) expect(norm2(squareEta(side, rng))).toBeCloseTo(1, 10);
  });
});

describe("Square-L2's window-pair update", () => {
  /** Random delta of norm at most eps on `[h, w, c]`, some of it at exactly eps. */
  function randomDelta(rng: Rng, shape: [number, number, number], eps: number): Float32Array {
    const d = Float32Array.from({ length: shape[0] * shape[1] * shape[2] }, () => rng.normal());
    const scale = (eps * (rng.int(3) === 0 ? 1 : rng.next())) / norm2(d);
    return d.map((v) => v * scale);
  }

  function windowsOf(rng: Rng, h: number, w: number, s: number): [SquareWindow, SquareWindow] {
    return [
      [rng.int(h - s + 1), rng.int(w - s + 1)],
      [rng.int(h - s + 1), rng.int(w - s + 1)],
    ];
  }

  const inside = (r: number, c: number, [wr, wc]: SquareWindow, s: number) => r >= wr && r < wr + s && c >= wc && c < wc + s;

  it('with one channel: norm exactly eps, the rest kept, the second window emptied, the first new', () => {
    const rng = new Rng(21);
    for (let trial = 0; trial < 40; trial++) {
      const [h, w] = [5 + rng.int(6), 5 + rng.int(6)];
      const s = [3, 5][rng.int(2)];
      const eps = 0.1 + 3 * rng.next();
      const delta = randomDelta(rng, [h, w, 1], eps);
      const [win, win2] = windowsOf(rng, h, w, s);
      const eta = squareEta(s, rng);
      const sign = rng.next() < 0.5 ? -1 : 1;
      const out = squareL2Proposal(delta, [h, w, 1], s, win, win2, eta, [sign], eps);
      // The budget's unused part and the windows' old norm go into window 1: the total is eps.
      expect(norm2(out)).toBeCloseTo(eps, 4);
      const fresh: number[] = [];
      const old: number[] = [];
      for (let r = 0; r < h; r++) {
        for (let c = 0; c < w; c++) {
          const k = r * w + c;
          if (inside(r, c, win, s)) {
            fresh.push(out[k]);
            old.push(delta[k]);
          } else if (inside(r, c, win2, s)) expect(out[k]).toBe(0);
          else expect(out[k]).toBe(delta[k]);
        }
      }
      // Window 1 points along eta * sign + (old window) / ||old window||.
      const oldNorm = norm2(old);
      const dir = Array.from(eta, (v, i) => v * sign + old[i] / (oldNorm + 1e-12));
      const cos = dot(fresh, dir) / (norm2(fresh) * norm2(dir));
      expect(cos).toBeCloseTo(1, 5);
    }
  });

  it('with three channels: each channel of window 1 gets the same norm; after the rescale, ||delta||_2 = eps and the rest keeps its direction', () => {
    const rng = new Rng(22);
    for (let trial = 0; trial < 30; trial++) {
      const [h, w, ch] = [6 + rng.int(5), 6 + rng.int(5), 3];
      const s = [3, 5][rng.int(2)];
      const eps = 0.1 + 3 * rng.next();
      const delta = randomDelta(rng, [h, w, ch], eps);
      const [win, win2] = windowsOf(rng, h, w, s);
      const signs = [1, -1, rng.next() < 0.5 ? -1 : 1];
      const out = squareL2Proposal(delta, [h, w, ch], s, win, win2, squareEta(s, rng), signs, eps);
      let image = 0;
      let windows = 0;
      const perChannel = [0, 0, 0];
      for (let r = 0; r < h; r++) {
        for (let c = 0; c < w; c++) {
          for (let k = 0; k < ch; k++) {
            const i = (r * w + c) * ch + k;
            image += delta[i] ** 2;
            if (inside(r, c, win, s) || inside(r, c, win2, s)) windows += delta[i] ** 2;
            if (inside(r, c, win, s)) perChannel[k] += out[i] ** 2;
            else if (!inside(r, c, win2, s)) expect(out[i]).toBe(delta[i]);
          }
        }
      }
      const target = Math.sqrt(Math.max(eps ** 2 - image, 0) / ch + windows);
      for (const v of perChannel) expect(Math.sqrt(v)).toBeCloseTo(target, 4);
    }
  });

  it('every proposal the attack makes lies on the L2 sphere of radius eps where [0,1] does not bind', () => {
    // Grey images and a small eps: no pixel reaches the box, so each kept point has norm eps.
    const model = affine([new Array(48).fill(0.01), new Array(48).fill(-0.01)], [0.2, 0]);
    const x = tf.fill([3, 4, 4, 3], 0.5) as tf.Tensor4D;
    const y = tf.tensor1d([0, 0, 0], 'int32');
    const sq = new SquareAttack({ eps: 0.3, norm: 'L2', nQueries: 30, rng: 5 });
    expect([sq.norm, sq.eps]).toEqual(['L2', 0.3]);
    const adv = sq.run(model, x, y);
    for (const v of l2Norms(adv, x)) expect(v).toBeCloseTo(0.3, 4);
    expect(Array.from(sq.lastQueries)).toEqual([30, 30, 30]);
    tf.dispose([x, y, adv]);
  });
});

describe('AutoAttack in L2', () => {
  /** A stage's settings and norm, read off the built object. */
  function stage(a: Attack): Record<string, unknown> {
    if (a instanceof Apgd) return { norm: a.norm, loss: a.loss, nIter: a.nIter, nRestarts: a.nRestarts, eotIter: a.eotIter, nTargetClasses: a.nTargetClasses };
    if (a instanceof Fab) return { norm: a.norm, targeted: a.targeted, nIter: a.nIter, nRestarts: a.nRestarts, nTargetClasses: a.nTargetClasses };
    if (a instanceof SquareAttack) return { norm: a.norm, nQueries: a.nQueries, pInit: a.pInit, rescaleSchedule: a.rescaleSchedule };
    throw new Error(`unexpected stage ${a.name}`);
  }

  it("every version runs its L-inf stages at the L-inf settings, each stage in L2 (the reference's set_version for both norms)", () => {
    for (const version of AUTOATTACK_VERSIONS) {
      const linf = new AutoAttack({ eps: 0.1, version });
      const l2 = new AutoAttack({ eps: 0.5, version, norm: 'L2' });
      expect(l2.norm).toBe('L2');
      expect(l2.stages).toEqual(linf.stages);
      l2.plan.forEach((s, i) => {
        expect(s.attack.eps).toBe(0.5);
        expect(stage(s.attack)).toEqual({ ...stage(linf.plan[i].attack), norm: 'L2' });
      });
    }
    // Square inside AutoAttack keeps the raw-count schedule in L2 too; by name, with a budget past 1.
    const aa = createAttack('autoattack-plus', { eps: 1.5, norm: 'L2' }) as AutoAttack;
    expect(aa.plan.map((s) => stage(s.attack).norm)).toEqual(new Array(6).fill('L2'));
    expect(stage(aa.plan.find((s) => s.name === 'square')!.attack)).toMatchObject({ rescaleSchedule: false });
    expect(() => new AutoAttack({ eps: 1.5 })).toThrow(/eps must be a number in \[0, 1\]/);
  });

  it('is never weaker than APGD-CE-L2 alone on the trained toy model: it breaks every example APGD-CE breaks, and more', () => {
    const model = trainedToyClassifier(7, 60, 4);
    const f = asClassifier(model);
    const { x, y } = toyBatch(new Rng(99), 24, 4);
    const labels = Array.from(y.dataSync());
    const broken = (adv: tf.Tensor4D) => Array.from(tf.tidy(() => tf.argMax(f(adv), 1).dataSync()), (p, i) => p !== labels[i]);
    const budgets = { apgdIter: 5, fabIter: 10, squareQueries: 50, nTargetClasses: 3 };
    let stronger = 0;
    for (const eps of [0.6, 0.7, 0.8, 0.9, 1.0]) {
      const apgdAdv = createAttack('apgd-ce', { eps, norm: 'L2', seed: 3, ...budgets }).run(f, x, y);
      const aa = createAttack('autoattack', { eps, norm: 'L2', seed: 3, ...budgets }) as AutoAttack;
      const aaAdv = aa.run(f, x, y);
      const [a, b] = [broken(apgdAdv), broken(aaAdv)];
      a.forEach((v, i) => {
        if (v) expect(b[i], `eps ${eps}, example ${i}`).toBe(true);
      });
      expect(accuracy(f, aaAdv, y)).toBeLessThanOrEqual(accuracy(f, apgdAdv, y));
      if (b.filter(Boolean).length > a.filter(Boolean).length) stronger++;
      for (const d of l2Norms(aaAdv, x)) expect(d).toBeLessThanOrEqual(eps + 1e-5);
      // The breakdown is cumulative and ends at the accuracy of what it returns.
      const accs = aa.lastBreakdown!.stages.map((s) => s.robustAccuracy);
      for (let i = 1; i < accs.length; i++) expect(accs[i]).toBeLessThanOrEqual(accs[i - 1]);
      expect(accs[accs.length - 1]).toBeCloseTo(accuracy(f, aaAdv, y), 6);
      tf.dispose([apgdAdv, aaAdv]);
    }
    // Around the toy model's robust radius (APGD-CE leaves 92% to 25% robust at eps 0.7 to 0.9),
    // the later L2 stages break examples APGD-CE did not.
    expect(stronger).toBeGreaterThan(0);
    tf.dispose([x, y]);
    model.dispose();
  });
});
