/**
 * The evaluation loop: natural accuracy first, then each attack over the same examples, batch by
 * batch, with accuracy and throughput per attack.
 */
import * as tf from '@tensorflow/tfjs';
import type { Attack, Classifier } from '../types.js';
import type { ImageSet } from '../data/image-set.js';
import { AutoAttack } from '../attacks/autoattack.js';
import { SquareAttack } from '../attacks/square.js';

/** One attack to evaluate, under the name its table column takes (e.g. 'pgd20'). */
export interface NamedAttack {
  name: string;
  attack: Attack;
}

/** Progress of {@link evaluate}, reported after every batch. */
export interface EvalProgress {
  /** Name of the attack running ('natural' first). */
  attack: string;
  /** 0-based position of that attack, natural included. */
  attackIndex: number;
  attackCount: number;
  /** Examples done and total for this attack. */
  done: number;
  total: number;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Examples per batch (default 100). */
  batchSize?: number;
  /** Use only the first `limit` examples of the set (default: all). */
  limit?: number;
  /** Called after every batch (the loop yields to the event loop there, so a bar can redraw). */
  onProgress?: (p: EvalProgress) => void;
}

/** Accuracy of the model under one attack. */
export interface AttackAccuracy {
  name: string;
  /** Examples classified correctly, both clean and under this attack (robust accuracy). */
  correct: number;
  total: number;
  /** `correct / total`, in [0,1]. */
  accuracy: number;
  seconds: number;
  imagesPerSecond: number;
  /** AutoAttack only: robust accuracy after each stage, over all batches. */
  stages?: { name: string; robustAccuracy: number; seconds: number }[];
  /** AutoAttack only: its version and the accuracy it measured on the clean inputs. */
  version?: string;
  initialAccuracy?: number;
  /** Square only: mean and largest query count per example. */
  queries?: { mean: number; max: number; budget: number };
}

/** Result of {@link evaluate}: natural first, then the attacks in the order given. */
export interface EvalResult {
  n: number;
  accuracies: AttackAccuracy[];
}

/**
 * Evaluates `model` on the first `limit` examples of `set`: natural accuracy, then robust accuracy
 * under each attack. An example counts as robust when it is classified correctly both clean and
 * under the attack (AutoAttack's convention; it keeps robust <= natural even for an attack that
 * returns a bad point on an already misclassified example).
 */
export async function evaluate(
  model: Classifier,
  set: ImageSet,
  attacks: NamedAttack[],
  opts: EvaluateOptions = {},
): Promise<EvalResult> {
  const batchSize = opts.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`evaluate: batchSize must be a positive integer, got ${opts.batchSize}`);
  if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 1)) {
    throw new Error(`evaluate: limit must be a positive integer, got ${opts.limit}`);
  }
  const names = new Set<string>(['natural']);
  for (const a of attacks) {
    if (names.has(a.name)) throw new Error(`evaluate: attack name '${a.name}' appears twice (or clashes with 'natural')`);
    names.add(a.name);
  }
  const n = Math.min(opts.limit ?? set.count, set.count);
  if (n === 0) throw new Error('evaluate: the image set is empty');
  const { height: h, width: w, channels: c } = set;
  const d = h * w * c;
  if (set.images.length < n * d) throw new Error(`evaluate: set holds ${set.images.length} values, expected ${n}x${h}x${w}x${c}`);

  const batch = (start: number, end: number) => ({
    x: tf.tensor4d(set.images.subarray(start * d, end * d), [end - start, h, w, c]),
    y: tf.tensor1d(set.labels.subarray(start, end), 'int32'),
  });
  const attackCount = attacks.length + 1;
  const cleanCorrect = new Uint8Array(n);
  const accuracies: AttackAccuracy[] = [];

  const runOne = async (name: string, attackIndex: number, attack?: Attack): Promise<AttackAccuracy> => {
    let correct = 0;
    let seconds = 0;
    const stageCounts = new Map<string, { robust: number; seconds: number }>();
    let initialCorrect = 0;
    let queriesSum = 0;
    let queriesMax = 0;
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(start + batchSize, n);
      const { x, y } = batch(start, end);
      const t0 = performance.now();
      const input = attack ? attack.run(model, x, y) : x;
      const pred = tf.tidy(() => tf.argMax(model(input), 1).dataSync() as Int32Array);
      seconds += (performance.now() - t0) / 1000;
      for (let i = 0; i < end - start; i++) {
        const ok = pred[i] === set.labels[start + i];
        if (!attack) cleanCorrect[start + i] = ok ? 1 : 0;
        if (ok && cleanCorrect[start + i]) correct++;
      }
      if (attack instanceof AutoAttack && attack.lastBreakdown) {
        initialCorrect += Math.round(attack.lastBreakdown.clean * (end - start));
        for (const s of attack.lastBreakdown.stages) {
          const acc = stageCounts.get(s.name) ?? { robust: 0, seconds: 0 };
          acc.robust += Math.round(s.robustAccuracy * (end - start));
          acc.seconds += s.seconds;
          stageCounts.set(s.name, acc);
        }
      }
      if (attack instanceof SquareAttack) {
        for (const q of attack.lastQueries) {
          queriesSum += q;
          queriesMax = Math.max(queriesMax, q);
        }
      }
      if (input !== x) input.dispose();
      tf.dispose([x, y]);
      opts.onProgress?.({ attack: name, attackIndex, attackCount, done: end, total: n });
      // Let timers and progress bars run between batches (setTimeout: a browser has no setImmediate).
      await new Promise((r) => setTimeout(r, 0));
    }
    const result: AttackAccuracy = {
      name,
      correct,
      total: n,
      accuracy: correct / n,
      seconds,
      imagesPerSecond: seconds > 0 ? n / seconds : Infinity,
    };
    if (attack instanceof AutoAttack) {
      result.version = attack.version;
      result.initialAccuracy = initialCorrect / n;
    }
    if (stageCounts.size > 0) {
      result.stages = [...stageCounts].map(([s, v]) => ({ name: s, robustAccuracy: v.robust / n, seconds: v.seconds }));
    }
    if (attack instanceof SquareAttack) result.queries = { mean: queriesSum / n, max: queriesMax, budget: attack.nQueries };
    return result;
  };

  accuracies.push(await runOne('natural', 0));
  for (let k = 0; k < attacks.length; k++) {
    accuracies.push(await runOne(attacks[k].name, k + 1, attacks[k].attack));
  }
  return { n, accuracies };
}
