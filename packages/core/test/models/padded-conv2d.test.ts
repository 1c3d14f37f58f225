/**
 * PaddedConv2D: PyTorch's symmetric padding inside the conv, against a naive loop; its input,
 * kernel and bias gradients (in and out of a gradient tape) against finite differences; the
 * same initial weights as tfjs's Conv2D given the same initialiser; serialisation.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaddedConv2D, buildClassifier, buildMaskNet, loadModel, saveModel } from '@cat/core';
import { hashUniform } from './pattern.js';

const root = mkdtempSync(path.join(tmpdir(), 'cat-padded-conv-'));

/** PyTorch's conv2d with zero padding `pad` on every side, as nested loops over NHWC arrays. */
function naiveConv(
  x: Float32Array, [n, h, w, cin]: number[], k: Float32Array, ks: number, cout: number,
  bias: Float32Array | null, stride: number, pad: number,
): { out: Float64Array; shape: number[] } {
  const oh = Math.floor((h + 2 * pad - ks) / stride) + 1;
  const ow = Math.floor((w + 2 * pad - ks) / stride) + 1;
  const out = new Float64Array(n * oh * ow * cout);
  for (let b = 0; b < n; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let o = 0; o < cout; o++) {
    let s = bias ? bias[o] : 0;
    for (let di = 0; di < ks; di++) for (let dj = 0; dj < ks; dj++) {
      const r = i * stride + di - pad;
      const c = j * stride + dj - pad;
      if (r < 0 || r >= h || c < 0 || c >= w) continue;
      for (let q = 0; q < cin; q++) s += x[((b * h + r) * w + c) * cin + q] * k[((di * ks + dj) * cin + q) * cout + o];
    }
    out[((b * oh + i) * ow + j) * cout + o] = s;
  }
  return { out, shape: [n, oh, ow, cout] };
}

const floats = (n: number, j: number) => Float32Array.from(hashUniform(n, j), (u) => u - 0.5);

/** A one-layer model around a PaddedConv2D with hash weights. */
function oneLayer(h: number, w: number, cin: number, cout: number, ks: number, stride: number, pad: number, useBias: boolean) {
  const input = tf.input({ shape: [h, w, cin] });
  const layer = new PaddedConv2D({ name: 'conv', filters: cout, kernelSize: ks, strides: stride, pad, useBias });
  const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
  const kernel = floats(ks * ks * cin * cout, 1);
  const bias = useBias ? floats(cout, 2) : null;
  layer.setWeights(useBias ? [tf.tensor4d(kernel, [ks, ks, cin, cout]), tf.tensor1d(bias!)] : [tf.tensor4d(kernel, [ks, ks, cin, cout])]);
  return { model, layer, kernel, bias };
}

describe('PaddedConv2D', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('matches a naive PyTorch-padding loop (stride 1 and 2, even and odd sizes, with and without bias)', () => {
    const cases: [number, number, number, number, number, number, number, boolean][] = [
      // h, w, cin, cout, kernel, stride, pad, bias
      [6, 6, 2, 3, 3, 2, 1, true], // even size, stride 2: tfjs 'same' would pad 0 before, 1 after
      [5, 7, 2, 3, 3, 2, 1, false],
      [5, 5, 3, 2, 3, 1, 1, true],
      [7, 6, 2, 2, 1, 2, 0, false], // 1x1 shortcut
      [4, 4, 1, 2, 3, 1, 2, true], // padding wider than 'same'
    ];
    for (const [h, w, cin, cout, ks, stride, pad, useBias] of cases) {
      const { model, layer, kernel, bias } = oneLayer(h, w, cin, cout, ks, stride, pad, useBias);
      const xs = floats(2 * h * w * cin, 3);
      const x = tf.tensor4d(xs, [2, h, w, cin]);
      const y = model.predict(x) as tf.Tensor;
      const ref = naiveConv(xs, [2, h, w, cin], kernel, ks, cout, bias, stride, pad);
      expect(y.shape).toEqual(ref.shape);
      expect(layer.computeOutputShape([null, h, w, cin])).toEqual([null, ...ref.shape.slice(1)]);
      const got = y.dataSync();
      ref.out.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
      tf.dispose([x, y]);
      model.dispose();
    }
  });

  it('gradients wrt input, kernel and bias match finite differences, on and off the fused path', () => {
    const [h, w, cin, cout, ks, stride, pad] = [6, 5, 2, 3, 3, 2, 1];
    const { model, layer } = oneLayer(h, w, cin, cout, ks, stride, pad, true);
    const x = tf.tensor4d(floats(h * w * cin, 4), [1, h, w, cin]);
    const oh = Math.floor((h + 2 * pad - ks) / stride) + 1;
    const ow = Math.floor((w + 2 * pad - ks) / stride) + 1;
    const probe = tf.tensor4d(floats(oh * ow * cout, 5), [1, oh, ow, cout]);
    const loss = (xa: tf.Tensor) => tf.sum(tf.mul(model.apply(xa) as tf.Tensor, probe)) as tf.Scalar;
    // The loss is linear in x, the kernel and the bias, so a central difference is exact up to
    // rounding; `at(d)` is the loss with one entry moved by d.
    const centralDiff = (at: (d: number) => number, e = 0.5) => (at(e) - at(-e)) / (2 * e);
    const lossAt = (xa: tf.Tensor) => tf.tidy(() => loss(xa).dataSync()[0]);

    const gx = tf.grad(loss)(x).dataSync();
    const xs = x.dataSync();
    for (const i of [0, 7, 13, xs.length - 1]) {
      const num = centralDiff((d) => {
        const v = xs.slice();
        v[i] += d;
        return lossAt(tf.tensor4d(v, [1, h, w, cin]));
      });
      expect(gx[i]).toBeCloseTo(num, 3);
    }

    const { grads } = tf.variableGrads(() => loss(x));
    const [kVar, bVar] = layer.trainableWeights;
    const moved = (v: tf.LayerVariable, i: number) => (d: number) => {
      const before = v.read().clone();
      const vals = before.dataSync().slice();
      vals[i] += d;
      v.write(tf.tensor(vals, before.shape));
      const out = lossAt(x);
      v.write(before);
      return out;
    };
    const gk = grads[kVar.name].dataSync();
    for (const i of [0, 5, 20, gk.length - 1]) expect(gk[i]).toBeCloseTo(centralDiff(moved(kVar, i)), 3);
    const gb = grads[bVar.name].dataSync();
    for (let o = 0; o < cout; o++) expect(gb[o]).toBeCloseTo(centralDiff(moved(bVar, o)), 3);
    // Inside a tape the layer runs conv2d + add, outside fused.conv2d: the same forward values.
    let taped: Float32Array | undefined;
    tf.grad((xa: tf.Tensor) => {
      const y = model.apply(xa) as tf.Tensor;
      taped = y.dataSync() as Float32Array;
      return tf.sum(y) as tf.Scalar;
    })(x);
    const plain = (model.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(taped!)).toEqual(Array.from(plain));
  });

  it('draws the same initial weights as tfjs Conv2D with the same initialiser', () => {
    const kInit = () => tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed: 11 });
    const bInit = () => tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 12 });
    const input = tf.input({ shape: [8, 8, 3] });
    const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, useBias: true, kernelInitializer: kInit(), biasInitializer: bInit() });
    const b = new PaddedConv2D({ filters: 4, kernelSize: 3, pad: 1, useBias: true, kernelInitializer: kInit(), biasInitializer: bInit() });
    a.apply(input);
    b.apply(input);
    const [wa, wb] = [a.getWeights(), b.getWeights()];
    expect(wb.map((t) => t.shape)).toEqual([[3, 3, 3, 4], [4]]);
    wa.forEach((t, i) => expect(Array.from(wb[i].dataSync())).toEqual(Array.from(t.dataSync())));
  });

  it('the models have no padding layers, and save -> load keeps config and outputs', async () => {
    for (const model of [
      buildClassifier('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 5 }),
      buildMaskNet('resnet18-mask', { inputShape: [8, 8, 3], seed: 6 }),
    ]) {
      expect(model.layers.filter((l) => /padding/i.test(l.getClassName()))).toEqual([]);
      const convs = model.layers.filter((l) => l instanceof PaddedConv2D);
      expect(convs.length).toBeGreaterThan(0);
      const dir = path.join(root, model.name);
      await saveModel(model, dir);
      expect(readFileSync(path.join(dir, 'model.json'), 'utf8')).toContain('"class_name":"CatPaddedConv2D"');
      const loaded = await loadModel(dir);
      for (const l of convs) {
        const back = loaded.getLayer(l.name);
        expect(back).toBeInstanceOf(PaddedConv2D);
        expect(back.getConfig()).toEqual(l.getConfig());
      }
      const x = tf.randomUniform([2, ...(model.inputs[0].shape.slice(1) as number[])], 0, 1, 'float32', 9);
      const [ya, yb] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
      expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
      tf.dispose([x, ya, yb]);
    }
    const conv2 = (await loadModel(path.join(root, 'mnist-cnn'))).getLayer('conv2').getConfig();
    expect(conv2).toMatchObject({ filters: 32, kernelSize: 3, strides: 2, pad: 1, useBias: true });
    expect(conv2.kernelInitializer).toMatchObject({ className: 'VarianceScaling', config: { scale: 1 / 3, mode: 'fanIn' } });
  });

  it('rejects bad arguments with the value named', () => {
    expect(() => new PaddedConv2D({ filters: 0, kernelSize: 3 })).toThrow(/filters must be an integer >= 1, got 0/);
    expect(() => new PaddedConv2D({ filters: 2, kernelSize: 3, pad: -1 })).toThrow(/pad must be an integer >= 0, got -1/);
    expect(() => new PaddedConv2D({ filters: 2, kernelSize: 3, strides: 1.5 })).toThrow(/strides must be an integer >= 1, got 1.5/);
    expect(() => new PaddedConv2D({ filters: 2, kernelSize: 3, kernelInitializer: { className: 'NoSuchInit', config: {} } })).toThrow(
      /kernelInitializer .*NoSuchInit.* is not a registered tfjs initialiser/,
    );
  });
});
