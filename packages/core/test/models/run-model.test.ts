/**
 * runModel (the layer-by-layer executor behind asClassifier / asMaskNet) and LeanAdd: the same
 * values, gradients and BatchNorm statistics as tfjs's `model.apply`, with intermediates freed
 * during the forward pass; LeanAdd saves as plain tfjs `Add` and keeps no inputs for its
 * gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildClassifier, buildMaskNet, runModel } from '@cat/core';
import { LeanAdd } from '../../src/models/add-layer.js';

type Build = () => tf.LayersModel;
const builds: [string, Build][] = [
  ['wide-resnet (BN, ReLU, residual adds)', () => buildClassifier('wide-resnet', { inputShape: [8, 8, 3], numClasses: 10, depth: 10, widen: 1, seed: 5 })],
  ['mnist-mask (LeakyReLU, resize, sigmoid)', () => buildMaskNet('mnist-mask', { inputShape: [8, 8, 1], seed: 4 })],
];

function inputFor(model: tf.LayersModel, seed: number): tf.Tensor {
  const shape = model.inputs[0].shape.slice(1) as number[];
  return tf.randomUniform([3, ...shape], 0, 1, 'float32', seed);
}

/** Output, gradients of a fixed weighting of it against every trainable weight, and all weights after. */
function run(model: tf.LayersModel, x: tf.Tensor, forward: (m: tf.LayersModel, x: tf.Tensor) => tf.Tensor) {
  const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  let out: number[] = [];
  const { grads } = tf.variableGrads(() => {
    const y = forward(model, x);
    out = Array.from(y.dataSync());
    const w = tf.linspace(-1, 1, y.size).reshape(y.shape);
    return tf.sum(tf.mul(y, w)) as tf.Scalar;
  }, vars);
  const gradValues = vars.map((v) => Array.from(grads[v.name].dataSync()));
  tf.dispose(Object.values(grads));
  return { out, gradValues, weights: model.getWeights().map((w) => Array.from(w.dataSync())) };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('runModel', () => {
  for (const [name, build] of builds) {
    it(`${name}: output, gradients and BN statistics bit-identical to model.apply`, () => {
      const [a, b] = [build(), build()];
      for (const training of [true, false]) {
        const x = inputFor(a, 7);
        const viaApply = run(a, x, (m, v) => m.apply(v, { training }) as tf.Tensor);
        const viaRun = run(b, x, (m, v) => runModel(m, v, training) as tf.Tensor);
        expect(viaRun.out).toEqual(viaApply.out);
        expect(viaRun.gradValues).toEqual(viaApply.gradValues);
        expect(viaRun.weights).toEqual(viaApply.weights);
        x.dispose();
      }
      a.dispose();
      b.dispose();
    });
  }

  it('frees intermediates during a training-mode forward pass (model.apply holds them to its end)', async () => {
    const model = builds[0][1]();
    const x = inputFor(model, 1);
    const peak = async (forward: () => tf.Tensor) => (await tf.profile(() => forward())).peakBytes;
    const applied = await peak(() => model.apply(x, { training: true }) as tf.Tensor);
    const ran = await peak(() => runModel(model, x, true) as tf.Tensor);
    // The weights and the input are live in both; the activations of every layer only in apply's.
    const base = tf.memory().numBytes;
    expect(ran - base).toBeLessThan(0.5 * (applied - base));
    x.dispose();
    model.dispose();
  });

  it('falls back to model.apply for a Sequential model', () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, kernelInitializer: 'ones' })] });
    const y = runModel(m, tf.ones([2, 4]), true) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([4, 4, 4, 4, 4, 4]);
  });

  it('never disposes the caller input, also when a layer passes it through unchanged', () => {
    const input = tf.input({ shape: [3] });
    const same = tf.layers.activation({ activation: 'linear' }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, kernelInitializer: 'ones', useBias: false }).apply(same) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: out });
    const x = tf.tensor2d([[1, 2, 3]]);
    const y = runModel(m, x, true) as tf.Tensor;
    expect(x.isDisposed).toBe(false);
    expect(Array.from(y.dataSync())).toEqual([6, 6]);
  });
});

describe('LeanAdd', () => {
  it('is what the model builders use, and saves and loads as plain tfjs Add', async () => {
    const model = builds[0][1]();
    const adds = model.layers.filter((l) => l.getClassName() === 'Add');
    expect(adds.length).toBeGreaterThan(0);
    expect(adds.every((l) => l instanceof LeanAdd)).toBe(true);
    const json = JSON.stringify(model.toJSON(null, false));
    const loaded = await tf.models.modelFromJSON(JSON.parse(json));
    expect(loaded.layers.filter((l) => l.getClassName() === 'Add').every((l) => l instanceof LeanAdd)).toBe(true);
    model.dispose();
  });

  it('sums same-shape inputs with a gradient of dy for each that saves no inputs; broadcasting is tfjs\'s', () => {
    const layer = new LeanAdd({});
    const a = tf.tensor2d([[1, -2], [3, 4]]);
    const b = tf.tensor2d([[0.5, 0.5], [-1, 2]]);
    let saved: number | undefined;
    const [ga, gb] = tf.grads((u: tf.Tensor, v: tf.Tensor) => {
      const y = layer.apply([tf.relu(u), v]) as tf.Tensor;
      const tape = (tf.engine() as unknown as { state: { activeTape: { saved?: tf.Tensor[] }[] } }).state.activeTape;
      saved = tape[tape.length - 1].saved?.length ?? 0;
      expect(Array.from(y.dataSync())).toEqual([1.5, 0.5, 2, 6]);
      return tf.sum(tf.mul(y, tf.tensor2d([[1, 2], [3, 4]])));
    })([a, b]);
    expect(saved).toBe(0);
    expect(Array.from(ga.dataSync())).toEqual([1, 0, 3, 4]);
    expect(Array.from(gb.dataSync())).toEqual([1, 2, 3, 4]);
    // Different shapes: tfjs's own merge (broadcast over the missing leading axis).
    const wide = layer.apply([tf.ones([2, 3]), tf.ones([3])]) as tf.Tensor;
    expect(wide.shape).toEqual([2, 3]);
    expect(Array.from(wide.dataSync())).toEqual([2, 2, 2, 2, 2, 2]);
  });
});
