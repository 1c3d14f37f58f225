import * as tf from '@tensorflow/tfjs';
import { buildClassifier, buildMaskNet, createMethod, Rng, useBackend } from './src/index.js';

const backend = (process.argv[2] ?? 'native') as 'native';
await useBackend(backend);
const B = Number(process.argv[3] ?? 20), K = Number(process.argv[4] ?? 5);
const f = buildClassifier('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
const g = buildMaskNet('mnist-mask', { inputShape: [28, 28, 1], seed: 2 });
const state = { f, g, optF: tf.train.adam(1e-3), optG: tf.train.adam(1e-3), rng: new Rng(1), epoch: 0, epochs: 1 };
const m = createMethod('cat-cent', { eps: 0.3, alpha: 0.015, steps: K, a: 1, b: 0.3 });
const x = tf.randomUniform([B, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
const y = tf.tensor1d(Array.from({ length: B }, (_, i) => i % 10), 'int32');
m.step(state as never, { x, y });
const t0 = performance.now();
const prof = await tf.profile(() => { m.step(state as never, { x, y }); });
const dt = performance.now() - t0;
const by: Record<string, [number, number]> = {};
for (const k of prof.kernels) { const e = (by[k.name] ??= [0, 0]); e[0] += Number(k.kernelTimeMs); e[1]++; }
const rows = Object.entries(by).sort((a, b) => b[1][0] - a[1][0]);
let total = 0; for (const [, [ms]] of rows) total += ms;
console.log(`${backend} B=${B} K=${K} step ${dt.toFixed(0)} ms (profiled), kernel total ${total.toFixed(0)} ms`);
for (const [name, [ms, n]] of rows.slice(0, 25)) console.log(name.padEnd(28), ms.toFixed(1).padStart(8), String(n).padStart(6));
