/**
 * Signs of gradient masking in an evaluation (Athalye et al. 2018; Carlini et al. 2019): a
 * defence that hides its gradients looks robust to gradient attacks but not to stronger or
 * gradient-free ones. Checks, with a tolerance for sampling noise:
 * - accuracy must not rise as attacks strengthen: FGSM >= PGD-20 >= PGD-100, PGD >= AutoAttack;
 * - PGD with more steps or more restarts must not raise accuracy (names like `pgd50`, `pgd20x5`);
 * - no attack may raise accuracy above natural;
 * - a black-box attack (Square) must not beat the best white-box attack by more than a margin;
 * - inside AutoAttack, Square must not lower robust accuracy where the white-box stages before it
 *   failed by more than 0.2% (the reference's `check_square_sr`).
 * The checks on the model itself (AutoAttack's other checks) are in `model-checks.ts`.
 */
import type { EvalResult } from './evaluate.js';

/** One finding of {@link sanityCheck}. */
export interface SanityFinding {
  check:
    | 'monotone'
    | 'steps'
    | 'above-natural'
    | 'black-box'
    | 'square'
    | 'probabilities'
    | 'zero-gradients'
    | 'randomized'
    | 'dynamic'
    | 'n-classes';
  message: string;
}

/** Options of {@link sanityCheck}. */
export interface SanityOptions {
  /** Accuracy differences up to this (fraction, default 0.01) count as noise. */
  tolerance?: number;
  /** How far (fraction, default 0.05) Square may go below the best white-box attack. */
  blackBoxMargin?: number;
  /** How much (fraction, default 0.002) Square may lower accuracy inside AutoAttack. */
  squareDrop?: number;
}

const WHITE_BOX = ['fgsm', 'pgd20', 'pgd100', 'cw', 'autoattack', 'autoattack-plus', 'autoattack-rand', 'apgd-ce', 'apgd-dlr', 'apgd-t', 'fab', 'fab-t'];
const BLACK_BOX = ['square'];

/** Parses `pgd<steps>` with optional restarts (`pgd20x5`, `pgd20-r5`). */
function parsePgd(name: string): { steps: number; restarts: number } | null {
  const m = /^pgd-?(\d+)(?:(?:x|-r|_r)(\d+))?$/i.exec(name);
  return m ? { steps: Number(m[1]), restarts: m[2] ? Number(m[2]) : 1 } : null;
}

/**
 * Flags signs of gradient masking. Given several results (seeds), it checks their mean
 * accuracies. Returns an empty list when nothing looks wrong.
 */
export function sanityCheck(results: EvalResult | EvalResult[], opts: SanityOptions = {}): SanityFinding[] {
  const runs = Array.isArray(results) ? results : [results];
  if (runs.length === 0) throw new Error('sanityCheck: no results');
  const tol = opts.tolerance ?? 0.01;
  const margin = opts.blackBoxMargin ?? 0.05;
  const acc = new Map<string, number>();
  const names = new Set(runs.flatMap((r) => r.accuracies.map((a) => a.name)));
  for (const name of names) {
    const vals = runs.flatMap((r) => r.accuracies.filter((a) => a.name === name).map((a) => a.accuracy));
    acc.set(name, vals.reduce((a, v) => a + v, 0) / vals.length);
  }
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
  const findings: SanityFinding[] = [];

  const chain = ['fgsm', 'pgd20', 'pgd100', 'autoattack', 'autoattack-plus'].filter((k) => acc.has(k));
  for (let i = 0; i < chain.length; i++) {
    for (let j = i + 1; j < chain.length; j++) {
      const weak = acc.get(chain[i])!;
      const strong = acc.get(chain[j])!;
      if (strong > weak + tol) {
        findings.push({
          check: 'monotone',
          message: `${chain[j]} accuracy ${pct(strong)} is above ${chain[i]} ${pct(weak)}: a stronger attack should not do worse`,
        });
      }
    }
  }

  const pgds = [...names].map((n) => ({ name: n, p: parsePgd(n) })).filter((e) => e.p !== null);
  for (const a of pgds) {
    for (const b of pgds) {
      if (a === b) continue;
      const stronger = b.p!.steps >= a.p!.steps && b.p!.restarts >= a.p!.restarts && (b.p!.steps > a.p!.steps || b.p!.restarts > a.p!.restarts);
      if (stronger && acc.get(b.name)! > acc.get(a.name)! + tol && !(chain.includes(a.name) && chain.includes(b.name))) {
        findings.push({
          check: 'steps',
          message: `${b.name} (more steps or restarts) accuracy ${pct(acc.get(b.name)!)} is above ${a.name} ${pct(acc.get(a.name)!)}`,
        });
      }
    }
  }

  const natural = acc.get('natural');
  if (natural !== undefined) {
    for (const [name, v] of acc) {
      if (name !== 'natural' && v > natural + tol) {
        findings.push({ check: 'above-natural', message: `${name} accuracy ${pct(v)} is above natural accuracy ${pct(natural)}` });
      }
    }
  }

  const white = WHITE_BOX.filter((k) => acc.has(k)).map((k) => ({ k, v: acc.get(k)! }));
  if (white.length > 0) {
    const best = white.reduce((m, e) => (e.v < m.v ? e : m));
    for (const k of BLACK_BOX.filter((b) => acc.has(b))) {
      const v = acc.get(k)!;
      if (v < best.v - margin) {
        findings.push({
          check: 'black-box',
          message: `black-box ${k} accuracy ${pct(v)} is far below the strongest white-box attack (${best.k} ${pct(best.v)}): gradients are likely masked`,
        });
      }
    }
  }
  findings.push(...squareInAutoAttack(runs, opts.squareDrop ?? 0.002));
  return findings;
}

/**
 * AutoAttack's check that Square, the black-box stage, broke few examples the white-box stages
 * before it left standing: accuracy after Square against accuracy just before it, per AutoAttack
 * evaluated (mean over runs), when at least one other stage ran before Square.
 */
function squareInAutoAttack(runs: EvalResult[], drop: number): SanityFinding[] {
  const findings: SanityFinding[] = [];
  const names = new Set(runs.flatMap((r) => r.accuracies.filter((a) => a.stages).map((a) => a.name)));
  for (const name of names) {
    const drops = runs.flatMap((r) =>
      r.accuracies
        .filter((a) => a.name === name && a.stages)
        .flatMap((a) => {
          const i = a.stages!.findIndex((s) => s.name === 'square');
          return i > 0 ? [a.stages![i - 1].robustAccuracy - a.stages![i].robustAccuracy] : [];
        }),
    );
    if (drops.length === 0) continue;
    const mean = drops.reduce((a, v) => a + v, 0) / drops.length;
    if (mean > drop) {
      findings.push({
        check: 'square',
        message:
          `inside ${name}, Square lowered robust accuracy by ${(mean * 100).toFixed(2)}% after the white-box stages: ` +
          'the evaluation may be unreliable; try Square with more queries and restarts, or an adaptive attack',
      });
    }
  }
  return findings;
}
