/** saveModel / loadModel: round trips and every way a model directory can be broken. */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asClassifier, buildClassifier, buildMaskNet, loadModel, paramCount, saveModel } from '@cat/core';

const root = mkdtempSync(path.join(tmpdir(), 'cat-models-io-'));
const dir = (name: string) => path.join(root, name);

const sameOutputs = (a: tf.LayersModel, b: tf.LayersModel, x: tf.Tensor) => {
  const ya = a.predict(x) as tf.Tensor;
  const yb = b.predict(x) as tf.Tensor;
  expect(yb.shape).toEqual(ya.shape);
  expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
  tf.dispose([ya, yb]);
};

describe('model I/O', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('round trip: classifier with normalisation gives identical logits, files in tfjs format', async () => {
    const f = buildClassifier('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10, mean: [0.1307], std: [0.3081], seed: 3 });
    await saveModel(f, dir('cnn'));
    expect(readdirSync(dir('cnn')).sort()).toEqual(['model.json', 'weights.bin']); // no temp files left
    const json = JSON.parse(readFileSync(path.join(dir('cnn'), 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(readFileSync(path.join(dir('cnn'), 'weights.bin')).byteLength).toBe(4 * paramCount(f));
    const g = await loadModel(dir('cnn'));
    expect(g.getLayer('normalize').getConfig()).toMatchObject({ mean: [0.1307], std: [0.3081] });
    const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    sameOutputs(f, g, x);
    x.dispose();
  });

  it('round trip: mask net (custom resize layer) and a BN model with trained running stats', async () => {
    const m = buildMaskNet('mnist-mask', { inputShape: [13, 13, 1], seed: 2 });
    await saveModel(m, dir('mask'));
    const m2 = await loadModel(dir('mask'));
    const x = tf.randomUniform([1, 13, 13, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    sameOutputs(m, m2, x);

    const f = buildClassifier('wide-resnet', { inputShape: [8, 8, 3], numClasses: 10, depth: 10, widen: 1, seed: 4 });
    const xb = tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    tf.dispose(asClassifier(f, true)(xb)); // moves the running stats away from 0/1
    await saveModel(f, dir('wrn'));
    const f2 = await loadModel(dir('wrn'));
    sameOutputs(f, f2, xb);
    // Saving again over an existing model replaces it.
    tf.dispose(asClassifier(f, true)(xb));
    await saveModel(f, dir('wrn'));
    sameOutputs(f, await loadModel(dir('wrn')), xb);
    tf.dispose([x, xb]);
  });

  it('names the file when the model is missing or model.json is not JSON', async () => {
    await expect(loadModel(dir('nothing-here'))).rejects.toThrow(/nothing-here\/model\.json does not exist/);
    rmSync(dir('bad-json'), { recursive: true, force: true });
    const f = buildClassifier('mnist-cnn', { inputShape: [8, 8, 1], numClasses: 2 });
    await saveModel(f, dir('bad-json'));
    writeFileSync(path.join(dir('bad-json'), 'model.json'), '{"modelTopology": ');
    await expect(loadModel(dir('bad-json'))).rejects.toThrow(/bad-json\/model\.json is not valid JSON/);
    writeFileSync(path.join(dir('bad-json'), 'model.json'), '{"weightsManifest": []}');
    await expect(loadModel(dir('bad-json'))).rejects.toThrow(/model\.json has no modelTopology/);
  });

  it('rejects missing, truncated and foreign weights', async () => {
    const f = buildClassifier('mnist-cnn', { inputShape: [8, 8, 1], numClasses: 2, seed: 1 });
    await saveModel(f, dir('w'));
    const bin = path.join(dir('w'), 'weights.bin');
    const bytes = readFileSync(bin);
    writeFileSync(bin, bytes.subarray(0, bytes.byteLength - 8));
    await expect(loadModel(dir('w'))).rejects.toThrow(/w\/weights\.bin: holds \d+ bytes, the manifest describes \d+ \(truncated or corrupt\)/);
    // Same architecture, other seed: sizes agree, the checksum does not.
    await saveModel(buildClassifier('mnist-cnn', { inputShape: [8, 8, 1], numClasses: 2, seed: 2 }), dir('w-other'));
    copyFileSync(path.join(dir('w-other'), 'weights.bin'), bin);
    await expect(loadModel(dir('w'))).rejects.toThrow(/weights\.bin does not match the checksum/);
    rmSync(bin);
    await expect(loadModel(dir('w'))).rejects.toThrow(/weights\.bin does not exist/);
  });

  it('refuses a weights path that leaves the model directory', async () => {
    await saveModel(buildClassifier('mnist-cnn', { inputShape: [8, 8, 1], numClasses: 2 }), dir('escape'));
    const file = path.join(dir('escape'), 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    json.weightsManifest[0].paths = ['../w/weights.bin'];
    writeFileSync(file, JSON.stringify(json));
    await expect(loadModel(dir('escape'))).rejects.toThrow(/escape\/model\.json: weights path "\.\.\/w\/weights\.bin" must be a plain file name/);
  });

  it('rejects weights whose shapes do not fit the topology', async () => {
    // A 2-class model's topology with the weights of a 3-class one of the same byte size is
    // impossible; instead swap the declared shape of fc2 (100x2 -> 2x100) and drop the checksum,
    // as a hand-edited or foreign model.json would.
    const f = buildClassifier('mnist-cnn', { inputShape: [8, 8, 1], numClasses: 2 });
    await saveModel(f, dir('shapes'));
    const file = path.join(dir('shapes'), 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const spec = json.weightsManifest[0].weights.find((w: { name: string }) => w.name === 'fc2/kernel');
    expect(spec.shape).toEqual([100, 2]);
    spec.shape = [2, 100];
    delete json.catWeights;
    writeFileSync(file, JSON.stringify(json));
    await expect(loadModel(dir('shapes'))).rejects.toThrow(
      /weights in .*weights\.bin do not fit the model in .*model\.json: Shape mismatch: \[100,2\] vs\. \[2,100\]/,
    );
    // Topology of a 3-class model, weights of the 2-class one: the byte count exposes it.
    const g = buildClassifier('mnist-cnn', { inputShape: [8, 8, 1], numClasses: 3 });
    await saveModel(g, dir('shapes3'));
    copyFileSync(path.join(dir('shapes3'), 'model.json'), file);
    await expect(loadModel(dir('shapes'))).rejects.toThrow(/shapes\/weights\.bin: holds \d+ bytes, the manifest describes \d+ \(truncated or corrupt\)/);
  });
});
