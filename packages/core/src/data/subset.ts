/** Smaller, class-balanced pieces of an ImageSet for quick runs. */
import type { Rng } from '../util/rng.js';
import { imageSize, type ImageSet } from './image-set.js';

/**
 * `n` images of `set`, stratified: each class gets its share of `n` (largest remainders break
 * ties, lower class first). Without `rng` each class contributes its first images; with it, a
 * random choice. The picked images keep their order in `set`. `n >= set.count` gives a copy of
 * the whole set.
 * @throws Error when `n` is not a positive integer.
 */
export function subset(set: ImageSet, n: number, rng?: Rng): ImageSet {
  if (!Number.isInteger(n) || n < 1) throw new Error(`subset: n must be a positive integer, got ${n}`);
  const take = Math.min(n, set.count);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < set.count; i++) {
    const l = set.labels[i];
    let list = byClass.get(l);
    if (!list) byClass.set(l, (list = []));
    list.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const exact = classes.map((c) => (take * byClass.get(c)!.length) / set.count);
  const quota = exact.map(Math.floor);
  let left = take - quota.reduce((a, b) => a + b, 0);
  const byRemainder = classes.map((_, k) => k).sort((a, b) => exact[b] - quota[b] - (exact[a] - quota[a]) || a - b);
  for (const k of byRemainder) {
    if (left === 0) break;
    quota[k]++;
    left--;
  }
  const picked: number[] = [];
  classes.forEach((c, k) => {
    const list = byClass.get(c)!;
    if (rng) rng.shuffle(list);
    picked.push(...list.slice(0, quota[k]));
  });
  picked.sort((a, b) => a - b);
  const per = imageSize(set);
  const images = new Float32Array(picked.length * per);
  const labels = new Int32Array(picked.length);
  picked.forEach((idx, j) => {
    images.set(set.images.subarray(idx * per, (idx + 1) * per), j * per);
    labels[j] = set.labels[idx];
  });
  return { images, labels, count: picked.length, height: set.height, width: set.width, channels: set.channels };
}
