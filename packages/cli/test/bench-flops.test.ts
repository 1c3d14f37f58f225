import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildClassifier, buildMaskNet } from '@cat/core';
import {
  catStepFlopsPerImage,
  forwardFlopsPerImage,
  pgdFlopsPerImage,
} from '../src/commands/bench/flops.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('forwardFlopsPerImage', () => {
  it('counts a conv and a dense layer as 2 x multiply-adds (hand-computed)', () => {
    const input = tf.input({ shape: [6, 5, 2] });
    // 'valid' 3x3 conv, stride 1: out 4x3x4; MACs = 4*3 * 3*3*2 * 4 = 864
    const c = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'valid' }).apply(input) as tf.SymbolicTensor;
    const r = tf.layers.reLU().apply(c) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(r) as tf.SymbolicTensor; // 48 features
    const d = tf.layers.dense({ units: 7 }).apply(flat) as tf.SymbolicTensor; // MACs 48*7 = 336
    const model = tf.model({ inputs: input, outputs: d });
    expect(forwardFlopsPerImage(model)).toBe(2 * (864 + 336));
    model.dispose();
  });

  it('counts strided convs by their output size', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    // stride 2 'same': out 4x4x5; MACs = 16 * 3*3*3 * 5 = 2160
    const c = tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: c });
    expect(forwardFlopsPerImage(model)).toBe(2 * 2160);
    model.dispose();
  });

  it('gives SPEC.md MNIST CNN and mask net their hand-computed FLOPs', () => {
    const f = buildClassifier('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10 });
    // conv1 28*28*32*9, conv2 14*14*32*32*9, conv3 14*14*64*32*9, conv4 7*7*64*64*9,
    // fc1 3136*100, fc2 100*10 multiply-adds
    const fMacs = 28 * 28 * 32 * 9 + 14 * 14 * 32 * 32 * 9 + 14 * 14 * 64 * 32 * 9 + 7 * 7 * 64 * 64 * 9 + 3136 * 100 + 1000;
    expect(fMacs).toBe(7_765_736);
    expect(forwardFlopsPerImage(f)).toBe(2 * fMacs);
    const g = buildMaskNet('mnist-mask', { inputShape: [28, 28, 1] });
    // conv 1->64 s2 (14x14), 64->128, 128->128 (14x14), 128->1 at 28x28
    const gMacs = 14 * 14 * 64 * 9 + 14 * 14 * 128 * 64 * 9 + 14 * 14 * 128 * 128 * 9 + 28 * 28 * 128 * 9;
    expect(forwardFlopsPerImage(g)).toBe(2 * gMacs);
    f.dispose();
    g.dispose();
  });
});

describe('step FLOP accounting', () => {
  it('PGD is one forward and one input-gradient pass per step', () => {
    expect(pgdFlopsPerImage(10, 20)).toBe(400);
  });
  it('a CAT step is (2K + 9) F + 4 G', () => {
    expect(catStepFlopsPerImage(10, 100, 20)).toBe(49 * 10 + 400);
    expect(catStepFlopsPerImage(1, 0, 0)).toBe(9);
  });
});

describe('forwardFlopsPerImage on PreAct ResNet-18', () => {
  it('matches the hand count of 555,422,720 multiply-adds at 32x32x3', () => {
    const f = buildClassifier('preact-resnet18', { inputShape: [32, 32, 3], numClasses: 10 });
    const c3 = (hw: number, cin: number, cout: number) => hw * hw * cin * cout * 9;
    const macs =
      c3(32, 3, 64) + // stem
      4 * c3(32, 64, 64) + // layer1
      (c3(16, 64, 128) + 3 * c3(16, 128, 128) + 16 * 16 * 64 * 128) + // layer2 + 1x1 shortcut
      (c3(8, 128, 256) + 3 * c3(8, 256, 256) + 8 * 8 * 128 * 256) + // layer3
      (c3(4, 256, 512) + 3 * c3(4, 512, 512) + 4 * 4 * 256 * 512) + // layer4
      512 * 10; // linear
    expect(macs).toBe(555_422_720);
    expect(forwardFlopsPerImage(f)).toBe(2 * macs);
    f.dispose();
  });
});
