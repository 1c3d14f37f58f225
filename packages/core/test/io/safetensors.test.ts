/**
 * PyTorch state dicts as safetensors: the parser's checks, and cat's classifiers loaded from the
 * state dict of their own weights (written in PyTorch's layout by torch-state-dict.ts) giving the
 * original logits; every mismatch an error naming the tensor, and no tensor left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildClassifier,
  encodeSafetensors,
  loadSafetensorsClassifier,
  parseSafetensors,
  safetensorsToFloat32,
  type SafetensorsInput,
} from '@cat/core';
import { randomizeWeights, torchStateDict } from './torch-state-dict.js';

const root = mkdtempSync(path.join(tmpdir(), 'cat-safetensors-'));
let fileCount = 0;
/** Writes `bytes` to a fresh file and returns its path. */
const write = (bytes: Uint8Array) => {
  const file = path.join(root, `m${fileCount++}.safetensors`);
  writeFileSync(file, bytes);
  return file;
};
const MNIST = { arch: 'mnist-cnn' as const, inputShape: [28, 28, 1] as [number, number, number], numClasses: 10 };
const CIFAR_MEAN = [0.4914, 0.4822, 0.4465];
const CIFAR_STD = [0.2471, 0.2435, 0.2616];

const logits = (m: tf.LayersModel, x: tf.Tensor) => tf.tidy(() => Array.from((m.predict(x) as tf.Tensor).dataSync()));

/** The header of a safetensors file, rewritten by `edit`, with the same data after it. */
function editHeader(bytes: Uint8Array, edit: (h: Record<string, any>) => void): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + bytes.byteLength - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + n), 8 + json.byteLength);
  return out;
}

let cnn: tf.LayersModel;
let cnnDict: SafetensorsInput[];
let digits: tf.Tensor4D;

describe('safetensors state dicts', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    cnn = buildClassifier('mnist-cnn', { ...MNIST, seed: 5 });
    randomizeWeights(cnn, 50);
    cnnDict = torchStateDict(cnn, { flattenInto: 'fc1', flatten: [7, 7, 64] });
    digits = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
  });
  afterAll(() => {
    cnn.dispose();
    digits.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('parses what encodeSafetensors writes: header padded to 8 bytes, metadata, dtypes converted to float32', () => {
    const half = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3800, 0x0001, 0x7c00]).buffer); // 1, -2, 0.5, 2^-24, inf
    const f32 = new Float32Array([1.5, -3.25, 1e-8]);
    const bf16 = new Uint8Array(new Uint16Array(Array.from(new Uint32Array(f32.buffer), (u) => u >>> 16)).buffer);
    const bytes = encodeSafetensors(
      [
        { name: 'a', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
        { name: 'h', shape: [5], dtype: 'F16', bytes: half },
        { name: 'd', shape: [1, 2], dtype: 'F64', bytes: new Uint8Array(new Float64Array([0.1, -7]).buffer) },
        { name: 'b', shape: [3], dtype: 'BF16', bytes: bf16 },
        { name: 'i', shape: [], dtype: 'I64', bytes: new Uint8Array(8) },
      ],
      { format: 'pt' },
    );
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
    const st = parseSafetensors(bytes, 'x.safetensors');
    expect(st.metadata).toEqual({ format: 'pt' });
    expect([...st.tensors.keys()]).toEqual(['a', 'h', 'd', 'b', 'i']);
    const get = (n: string) => Array.from(safetensorsToFloat32(st.tensors.get(n)!, 'x.safetensors'));
    expect(st.tensors.get('a')!.shape).toEqual([2, 2]);
    expect(get('a')).toEqual([1, 2, 3, 4]);
    expect(get('h')).toEqual([1, -2, 0.5, 2 ** -24, Infinity]);
    expect(get('d')).toEqual([Math.fround(0.1), -7]);
    expect(get('b').slice(0, 2)).toEqual([1.5, -3.25]);
    expect(Math.abs(get('b')[2] - 1e-8) / 1e-8).toBeLessThan(1 / 128); // bfloat16 keeps 8 bits of mantissa
    expect(() => safetensorsToFloat32(st.tensors.get('i')!, 'x.safetensors')).toThrow(/tensor "i" has dtype I64, expected a float dtype/);
  });

  it('rejects malformed files, naming the file, the tensor and what was expected', () => {
    const good = encodeSafetensors([
      { name: 'a', shape: [2], data: new Float32Array([1, 2]) },
      { name: 'b', shape: [3], data: new Float32Array([3, 4, 5]) },
    ]);
    const parse = (b: Uint8Array) => () => parseSafetensors(b, 'f.safetensors');
    expect(parse(good.subarray(0, 5))).toThrow(/f\.safetensors: 5 bytes, too short/);
    expect(parse(good.subarray(0, 20))).toThrow(/header length \d+ runs past the end of the file \(20 bytes\)/);
    expect(parse(good.subarray(0, good.byteLength - 4))).toThrow(/tensor "b": data_offsets \[8, 20\] run past the end of the data \(16 bytes: truncated file\)/);
    const longer = new Uint8Array(good.byteLength + 4);
    longer.set(good);
    expect(parse(longer)).toThrow(/4 bytes after the last tensor/);
    const notJson = good.slice();
    notJson[8] = 0x5b; // '['
    expect(parse(notJson)).toThrow(/header is not a UTF-8 JSON object/);
    expect(parse(editHeader(good, (h) => (h.b.dtype = 'F12')))).toThrow(/tensor "b": unknown dtype "F12"/);
    expect(parse(editHeader(good, (h) => (h.b.shape = [2])))).toThrow(/tensor "b": data_offsets \[8,20\] span 12 bytes, dtype F32 and shape \[2\] need 8/);
    expect(parse(editHeader(good, (h) => (h.b.shape = [-3])))).toThrow(/tensor "b": shape \[-3\] is not a list of non-negative integers/);
    expect(parse(editHeader(good, (h) => (h.b.data_offsets = [20, 8])))).toThrow(/data_offsets \[20,8\] is not \[begin, end\]/);
    // Offsets that lie: a leaves a gap before it, or b claims some of a's bytes.
    expect(parse(editHeader(good, (h) => ((h.a.data_offsets = [4, 12]), (h.b.data_offsets = [8, 20]))))).toThrow(/tensor "a": data_offsets \[4, 12\] leave a gap.*expected it to begin at 0/);
    expect(parse(editHeader(good, (h) => ((h.a.data_offsets = [0, 8]), (h.b.data_offsets = [4, 16]))))).toThrow(/tensor "b": data_offsets \[4, 16\] overlap the previous tensor/);
    expect(parse(editHeader(good, (h) => (h.__metadata__ = { n: 3 })))).toThrow(/__metadata__ must be an object of strings/);
  });

  it('mnist-cnn: the state dict of its own weights gives the same logits (F32 and F64, with and without module.)', () => {
    const want = logits(cnn, digits);
    for (const bytes of [
      encodeSafetensors(cnnDict),
      encodeSafetensors(cnnDict.map((t) => ({ ...t, name: `module.${t.name}` }))),
      encodeSafetensors(cnnDict.map((t) => ('data' in t ? { name: t.name, shape: t.shape, dtype: 'F64', bytes: new Uint8Array(Float64Array.from(t.data).buffer) } : t))),
    ]) {
      const loaded = loadSafetensorsClassifier(write(bytes), MNIST);
      expect(loaded.normalization.source).toBe('none');
      expect(loaded.ignored).toEqual([]);
      expect(logits(loaded.model, digits)).toEqual(want);
      loaded.model.dispose();
    }
  });

  it('mnist-cnn: PyTorch layouts land where they belong (OIHW -> HWIO; fc1 features (c, h, w) -> (h, w, c))', () => {
    const conv = cnnDict.find((t) => t.name === 'conv3.weight')! as { data: Float32Array; shape: number[] };
    const fc1 = cnnDict.find((t) => t.name === 'fc1.weight')! as { data: Float32Array; shape: number[] };
    expect(conv.shape).toEqual([64, 32, 3, 3]);
    expect(fc1.shape).toEqual([100, 64 * 7 * 7]);
    // Distinct values at every position, so a wrong permutation cannot agree by accident.
    const convT = Float32Array.from(conv.data, (_, i) => i);
    const fcT = Float32Array.from(fc1.data, (_, i) => i);
    const dict = cnnDict.map((t) => (t.name === 'conv3.weight' ? { ...conv, name: t.name, data: convT } : t.name === 'fc1.weight' ? { ...fc1, name: t.name, data: fcT } : t));
    const { model } = loadSafetensorsClassifier(write(encodeSafetensors(dict)), MNIST);
    const k = model.getLayer('conv3').getWeights()[0].arraySync() as number[][][][];
    const f = model.getLayer('fc1').getWeights()[0].arraySync() as number[][];
    for (const [o, i, y, x] of [[0, 0, 0, 0], [63, 31, 2, 2], [5, 7, 1, 2], [40, 3, 2, 0]]) {
      expect(k[y][x][i][o]).toBe(((o * 32 + i) * 3 + y) * 3 + x);
    }
    for (const [o, c, h, w] of [[0, 0, 0, 0], [99, 63, 6, 6], [3, 10, 2, 5], [50, 1, 6, 0]]) {
      expect(f[(h * 7 + w) * 64 + c][o]).toBe(o * 3136 + c * 49 + h * 7 + w);
    }
    model.dispose();
  });

  it('preact-resnet18 at 32x32: same logits, normalisation from the mu/sigma buffers, num_batches_tracked ignored', () => {
    const cifar = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };
    const f = buildClassifier('preact-resnet18', { ...cifar, mean: CIFAR_MEAN, std: CIFAR_STD, seed: 3 });
    randomizeWeights(f, 30);
    const dict: SafetensorsInput[] = [
      ...torchStateDict(f, { prefix: 'module.' }),
      { name: 'module.mu', shape: [1, 3, 1, 1], data: new Float32Array(CIFAR_MEAN) },
      { name: 'module.sigma', shape: [1, 3, 1, 1], data: new Float32Array(CIFAR_STD) },
    ];
    const file = write(encodeSafetensors(dict));
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 4);
    const before = tf.memory().numTensors;
    const loaded = loadSafetensorsClassifier(file, { arch: 'preact-resnet18', ...cifar });
    expect(tf.memory().numTensors - before).toBe(f.weights.length); // the model's variables, nothing else kept
    expect(loaded.normalization).toEqual({ mean: CIFAR_MEAN.map(Math.fround), std: CIFAR_STD.map(Math.fround), source: 'file' });
    expect(loaded.ignored.length).toBe(f.layers.filter((l) => l.getClassName() === 'BatchNormalization').length);
    expect(loaded.ignored.every((n) => n.endsWith('.num_batches_tracked'))).toBe(true);
    const want = logits(f, x);
    const got = logits(loaded.model, x);
    got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i]))));
    tf.dispose([x, loaded.model]);
    f.dispose();
  });

  it('mean/std given explicitly: used, and they must agree with mu/sigma buffers when the file has them', () => {
    const mnistNorm = (mu: number, sigma: number): SafetensorsInput[] => [
      ...cnnDict,
      { name: 'mu', shape: [1, 1, 1, 1], data: new Float32Array([mu]) },
      { name: 'sigma', shape: [1, 1, 1, 1], data: new Float32Array([sigma]) },
    ];
    const plain = loadSafetensorsClassifier(write(encodeSafetensors(cnnDict)), { ...MNIST, mean: [0.25], std: [0.5] });
    expect(plain.normalization).toEqual({ mean: [0.25], std: [0.5], source: 'options' });
    expect(plain.model.getLayer('normalize').getConfig()).toMatchObject({ mean: [0.25], std: [0.5] });
    const file = write(encodeSafetensors(mnistNorm(0.25, 0.5)));
    const withBuffers = loadSafetensorsClassifier(file, MNIST);
    expect(withBuffers.normalization).toEqual({ mean: [0.25], std: [0.5], source: 'file' });
    expect(logits(withBuffers.model, digits)).toEqual(logits(plain.model, digits));
    const agreeing = loadSafetensorsClassifier(file, { ...MNIST, mean: [0.25], std: [0.5] });
    expect(agreeing.normalization.source).toBe('options');
    expect(() => loadSafetensorsClassifier(file, { ...MNIST, mean: [0.5], std: [0.5] })).toThrow(
      /the normalisation given \(mean \[0\.5\], std \[0\.5\]\) differs from the file's mu \[0\.25\] and sigma \[0\.5\]/,
    );
    tf.dispose([plain.model, withBuffers.model, agreeing.model]);
  });

  it('wide-resnet: depth and widen read from the state dict, an unused sub_block1 ignored', () => {
    const f = buildClassifier('wide-resnet', { inputShape: [8, 8, 3], numClasses: 4, depth: 10, widen: 1, seed: 2 });
    randomizeWeights(f, 20);
    const sub: SafetensorsInput = { name: 'sub_block1.layer.0.conv1.weight', shape: [16, 16, 3, 3], data: new Float32Array(16 * 16 * 9) };
    const loaded = loadSafetensorsClassifier(write(encodeSafetensors([...torchStateDict(f), sub])), { arch: 'wide-resnet', inputShape: [8, 8, 3], numClasses: 4 });
    expect(loaded.model.name).toBe('wide-resnet-10-1');
    expect(loaded.ignored).toContain('sub_block1.layer.0.conv1.weight');
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 1);
    expect(logits(loaded.model, x)).toEqual(logits(f, x));
    tf.dispose([x, loaded.model]);
    f.dispose();
  });

  it('every mismatch is an error naming the tensor and what was expected; nothing stays allocated', () => {
    const load = (dict: SafetensorsInput[], opts: Partial<typeof MNIST> = {}) => () => loadSafetensorsClassifier(write(encodeSafetensors(dict)), { ...MNIST, ...opts });
    const before = tf.memory().numTensors;
    const without = (name: string) => cnnDict.filter((t) => t.name !== name);
    expect(load(without('conv2.bias'))).toThrow(/does not fit mnist-cnn with 10 classes on \[28,28,1\] images:\n {2}missing tensor "conv2.bias" \(expected shape \[32\]\)/);
    expect(load([...cnnDict, { name: 'conv5.weight', shape: [1], data: new Float32Array(1) }])).toThrow(/unexpected tensor "conv5.weight" \(shape \[1\]\): mnist-cnn has no such weight/);
    expect(load(cnnDict.map((t) => (t.name === 'conv1.weight' ? { ...t, shape: [32, 1, 9] } : t)))).toThrow(/tensor "conv1.weight" has shape \[32,1,9\], expected \[32,1,3,3\]/);
    expect(load(cnnDict, { numClasses: 7 })).toThrow(/tensor "fc2.weight" has shape \[10,100\], expected \[7,100\][\s\S]*tensor "fc2.bias" has shape \[10\], expected \[7\]/);
    expect(load(cnnDict.map((t) => (t.name === 'fc2.bias' ? { name: t.name, shape: [10], dtype: 'I32', bytes: new Uint8Array(40) } : t)))).toThrow(/tensor "fc2.bias" has dtype I32, expected a float dtype/);
    expect(load([...cnnDict, { name: 'mu', shape: [1], data: new Float32Array([0.1]) }])).toThrow(/has a "mu" tensor but no "sigma"/);
    expect(load([...cnnDict, { ...cnnDict[0], name: `module.${cnnDict[0].name}` }])).toThrow(/tensors "module.conv1.weight" and "conv1.weight" both name "conv1.weight"/);
    expect(() => loadSafetensorsClassifier(path.join(root, 'absent.safetensors'), MNIST)).toThrow(/absent\.safetensors does not exist/);
    const truncated = encodeSafetensors(cnnDict);
    expect(() => loadSafetensorsClassifier(write(truncated.subarray(0, truncated.byteLength - 100)), MNIST)).toThrow(/tensor "fc2.weight": data_offsets .* run past the end of the data .*truncated file/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
