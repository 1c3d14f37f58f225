/**
 * Writes the weight names and shapes of the CIFAR test networks, in `model.weights` order, for
 * torch_reference.py. Run from packages/core:
 *   node --import tsx test/models/reference/weight-names.ts /tmp/names.json
 */
import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import { buildClassifier, buildMaskNet } from '../../../src/models/index.js';

async function main() {
  await tf.setBackend('cpu');
  const cifar = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10, mean: [0.4914, 0.4822, 0.4465], std: [0.2471, 0.2435, 0.2616] };
  const models = {
    preact: buildClassifier('preact-resnet18', cifar),
    wrn: buildClassifier('wide-resnet', { ...cifar, depth: 16, widen: 2 }),
    mask: buildMaskNet('resnet18-mask', { inputShape: [32, 32, 3] }),
  };
  const out = Object.fromEntries(Object.entries(models).map(([k, m]) => [k, m.weights.map((w) => [w.originalName, w.shape])]));
  writeFileSync(process.argv[2] ?? 'names.json', JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
