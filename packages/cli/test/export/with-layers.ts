/**
 * A tfjs app that registers cat's layers with the one-line module and nothing else of cat:
 * loads a raw checkpoint's f and g (cat's custom layer classes) with plain `tf.loadLayersModel`
 * and prints their outputs on the export test's fixed images as JSON.
 * Usage: with-layers.ts CHECKPOINT_DIR
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@cat/core/layers';

const dir = process.argv[2];
const out: Record<string, number[]> = {};
for (const role of ['f', 'g']) {
  const json = JSON.parse(fs.readFileSync(path.join(dir, role, 'model.json'), 'utf8'));
  const bytes = fs.readFileSync(path.join(dir, role, json.weightsManifest[0].paths[0]));
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    }),
  );
  const shape = [2, ...(model.inputs[0].shape.slice(1) as number[])];
  const x = tf.tensor(Float32Array.from({ length: shape.reduce((a, d) => a * d, 1) }, (_, i) => ((i * 7919) % 1000) / 999), shape);
  out[role] = Array.from((model.predict(x) as tf.Tensor).dataSync());
}
process.stdout.write(JSON.stringify(out));
