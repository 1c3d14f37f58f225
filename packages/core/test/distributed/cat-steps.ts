/**
 * Three CAT-cent steps on the MNIST CNN and its mask net, for data-parallel.test.ts: on one
 * process with the whole batch, or under mpirun with each rank training on its shard (rank 0's
 * initial weights broadcast, gradients averaged by all-reduce). Writes every weight of f and g,
 * in order, to OUT_DIR/weights-<rank>.f32 (OUT_DIR/weights-single.f32 on one process).
 * Usage: cat-steps.ts OUT_DIR BATCH
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as core from '@cat/core';

const [outDir, batchArg] = process.argv.slice(2);
const batchSize = Number(batchArg);
await core.useBackend('native');
const distributed = core.launchedByMpirun();
const comm = distributed ? core.initMpi() : undefined;
const dp = comm ? new core.DataParallel(comm) : undefined;

const data = await core.loadDataset('mnist-digits');
const inputShape: [number, number, number] = [data.train.height, data.train.width, data.train.channels];
// Rank 1 starts from other weights on purpose: the broadcast must replace them by rank 0's.
const seed = 7 + (dp?.rank ?? 0);
const f = core.buildClassifier('mnist-cnn', { inputShape, numClasses: data.numClasses, mean: data.mean, std: data.std, seed });
const g = core.buildMaskNet('mnist-mask', { inputShape, seed: seed + 1, initialMask: 0.95 });
let optF = tf.train.adam(1e-3);
let optG = tf.train.adam(1e-4);
if (dp) {
  core.broadcastWeights(dp.comm, [f, g]);
  optF = core.averageGradients(optF, dp) as tf.AdamOptimizer;
  optG = core.averageGradients(optG, dp) as tf.AdamOptimizer;
}
// A zero-radius start makes the attack deterministic, so that ranks and the single process attack
// the same images alike (random starts come from per-rank streams and differ by design).
const method = core.createMethod('cat-cent', { eps: 0.3, alpha: 0.05, steps: 5, a: 6, b: 0.3, startRadius: 0 });
const state: core.TrainState = { f, g, optF, optG, rng: dp ? dp.rankRng(1, 0) : new core.Rng(1), epoch: 0, epochs: 1 };

/** Every weight of f and g, in order, in one array. */
function allWeights(): Float32Array {
  const weights = [...f.weights, ...g.weights].map((w) => w.read().dataSync() as Float32Array);
  const out = new Float32Array(weights.reduce((n, w) => n + w.length, 0));
  weights.reduce((at, w) => (out.set(w, at), at + w.length), 0);
  return out;
}
const initial = allWeights();

const per = data.train.height * data.train.width * data.train.channels;
const { start, end } = dp ? dp.shard(batchSize) : { start: 0, end: batchSize };
const losses: core.StepLosses[] = [];
for (let step = 0; step < 3; step++) {
  // Step s trains on images [s * batch, (s + 1) * batch) of the training set; this rank on its rows.
  const from = step * batchSize + start;
  const to = step * batchSize + end;
  dp?.setShard(end - start, batchSize);
  const x = tf.tensor4d(data.train.images.slice(from * per, to * per), [to - from, ...inputShape]);
  const y = tf.tensor1d(data.train.labels.slice(from, to), 'int32');
  const l = method.step(state, { x, y });
  losses.push(dp ? dp.averageLosses(l) : l);
  tf.dispose([x, y]);
}
const flat = allWeights();
writeFileSync(join(outDir, `weights-${dp ? dp.rank : 'single'}.f32`), flat);
// How far training moved the weights (the test's tolerance must be far below it).
const moved = flat.reduce((m, v, i) => Math.max(m, Math.abs(v - initial[i])), 0);
console.log(JSON.stringify({ rank: dp?.rank ?? null, shard: [start, end], losses, moved }));
comm?.finalize();
