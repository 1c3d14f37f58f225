/**
 * Reads the AutoAttack parity fixture (a reference fixture kept beside the repository, not in it):
 * 200 MNIST digits, their labels and `reference.json`, what the reference AutoAttack (fra31/
 * auto-attack a392200, standard, Linf) and a PyTorch PGD-20 found on them. Used in place by
 * test/parity/autoattack-reference.test.ts and tools/parity/autoattack-full.mjs; the model in the
 * same folder is loaded with cat's `loadModel`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** AutoAttack's standard stages, in the order the reference ran them. */
export const AUTOATTACK_STAGES = ['apgd-ce', 'apgd-t', 'fab-t', 'square'];

/**
 * @param {string} dir the fixture folder
 * @returns {{ dir: string, n: number, shape: [number, number, number], images: Float32Array,
 *   labels: Int32Array, reference: any }}
 */
export function readParityFixture(dir) {
  const reference = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8'));
  const n = reference.n;
  const shape = [28, 28, 1];
  const bytes = fs.readFileSync(path.join(dir, 'images.f32'));
  const d = shape[0] * shape[1] * shape[2];
  if (bytes.byteLength !== n * d * 4) throw new Error(`${dir}/images.f32: ${bytes.byteLength} bytes, expected ${n}x${d} float32`);
  const images = new Float32Array(n * d);
  // Copy out (the Buffer may not be 4-byte aligned); float32 little-endian as reference.json says.
  for (let i = 0; i < n * d; i++) images[i] = bytes.readFloatLE(i * 4);
  const labels = Int32Array.from(fs.readFileSync(path.join(dir, 'labels.u8')));
  if (labels.length !== n) throw new Error(`${dir}/labels.u8: ${labels.length} labels, expected ${n}`);
  return { dir, n, shape, images, labels, reference };
}

/** The reference's robust accuracy after each AutoAttack stage, over all n examples, in [0,1]. */
export function referenceStageAccuracies(reference) {
  const after = reference.autoattack_standard.robust_accuracy_after_each_stage;
  return Object.fromEntries(AUTOATTACK_STAGES.map((s) => [s, after[s]]));
}

/**
 * Per-example comparison of two 0/1 robust-correct lists: `catOnly` counts examples cat left
 * robust where the reference broke them (cat weaker there), `referenceOnly` the other way round.
 */
export function compareRobust(cat, reference) {
  let agree = 0;
  let catOnly = 0;
  let referenceOnly = 0;
  for (let i = 0; i < reference.length; i++) {
    const a = Boolean(cat[i]);
    const b = Boolean(reference[i]);
    if (a === b) agree++;
    else if (a) catOnly++;
    else referenceOnly++;
  }
  return { agree, catOnly, referenceOnly, n: reference.length };
}
