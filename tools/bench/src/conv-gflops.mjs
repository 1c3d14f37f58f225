/**
 * Achieved GFLOP/s of the conv path on one backend: a 3x3 'same' convolution at the shapes the
 * CAT models spend their time in, forward alone and forward + input gradient + filter gradient
 * (3x the forward FLOPs), best of a few runs after a warm-up. Compare with the sgemm peak from
 * tools/peer/sgemm_probe.py (tools/peer/compare.mjs does).
 *
 *   node tools/bench/src/conv-gflops.mjs [--backend native] [--reps 3] [--json]
 */
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '@cat/core';
import { parseArgs } from './args.mjs';

/** [name, N, H, W, Cin, Cout] */
export const CONV_SHAPES = [
  ['mnist-cnn conv3 (batch 100)', 100, 14, 14, 32, 64],
  ['mnist-mask conv3 (batch 100)', 100, 14, 14, 128, 128],
  ['resnet18 layer1 (batch 128)', 128, 32, 32, 64, 64],
  ['resnet18 layer2 (batch 128)', 128, 16, 16, 128, 128],
  ['resnet18 layer3 (batch 128)', 128, 8, 8, 256, 256],
  ['resnet18 layer4 (batch 128)', 128, 4, 4, 512, 512],
];

/** FLOPs of one forward 3x3 'same' stride-1 convolution. */
export function convFlops(n, h, w, cin, cout) {
  return 2 * n * h * w * cin * cout * 9;
}

function best(fn, reps) {
  fn(); // warm-up
  let t = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    t = Math.min(t, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return t;
}

async function main() {
  const args = parseArgs(process.argv.slice(2), { backend: 'string', reps: 'int', json: 'boolean', small: 'boolean' });
  const backend = args.backend ?? 'native';
  const reps = Math.max(1, args.reps ?? 3);
  await useBackend(backend);
  const rows = [];
  for (const [name, n0, h, w, cin, cout] of CONV_SHAPES) {
    // --small: batch 2, for the slow pure-tfjs backends
    const n = args.small ? 2 : n0;
    const x = tf.randomUniform([n, h, w, cin], 0, 1, 'float32', 1);
    const k = tf.randomNormal([3, 3, cin, cout], 0, 0.05, 'float32', 2);
    const dy = tf.randomNormal([n, h, w, cout], 0, 1, 'float32', 3);
    const grads = tf.grads((a, b) => tf.sum(tf.mul(tf.conv2d(a, b, 1, 'same'), dy)));
    // Block bodies: a tidy that returned the read-back array would walk all its elements.
    const fwd = best(() => tf.tidy(() => {
      tf.conv2d(x, k, 1, 'same').dataSync();
    }), reps);
    const train = best(() => tf.tidy(() => {
      for (const g of grads([x, k])) g.dataSync();
    }), reps);
    // Each gradient alone (the gradient pass runs only the kernel of the input asked for).
    const inputGrad = best(() => tf.tidy(() => {
      tf.grad((a) => tf.sum(tf.mul(tf.conv2d(a, k, 1, 'same'), dy)))(x).dataSync();
    }), reps);
    const filterGrad = best(() => tf.tidy(() => {
      tf.grad((b) => tf.sum(tf.mul(tf.conv2d(x, b, 1, 'same'), dy)))(k).dataSync();
    }), reps);
    const flops = convFlops(n, h, w, cin, cout);
    rows.push({
      name,
      shape: [n, h, w, cin, cout],
      gflopsForward: flops / fwd / 1e9,
      gflopsTrain: (3 * flops) / train / 1e9,
      // Each includes its forward pass (2 x the conv's FLOPs over the time).
      gflopsForwardInputGrad: (2 * flops) / inputGrad / 1e9,
      gflopsForwardFilterGrad: (2 * flops) / filterGrad / 1e9,
    });
    tf.dispose([x, k, dy]);
    const r = rows.at(-1);
    if (!args.json) {
      process.stderr.write(
        `conv ${name} on ${backend}: forward ${r.gflopsForward.toFixed(1)}, forward + input gradient ${r.gflopsForwardInputGrad.toFixed(1)}, forward + filter gradient ${r.gflopsForwardFilterGrad.toFixed(1)}, train ${r.gflopsTrain.toFixed(1)} GFLOP/s\n`,
      );
    }
  }
  const result = { backend, rows, bestForward: Math.max(...rows.map((r) => r.gflopsForward)), bestTrain: Math.max(...rows.map((r) => r.gflopsTrain)) };
  process.stdout.write(args.json ? `${JSON.stringify(result)}\n` : `best: forward ${result.bestForward.toFixed(1)}, train ${result.bestTrain.toFixed(1)} GFLOP/s\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((e) => {
    process.stderr.write(`conv-gflops: error: ${e?.message ?? e}\n`);
    process.exitCode = 2;
  });
}
