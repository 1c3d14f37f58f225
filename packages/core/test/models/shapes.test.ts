/** Output shapes, the stride-2 feature sizes, and the mask's range. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildClassifier, buildMaskNet } from '@cat/core';

/** Runs `model` up to `layerName` on `x` and returns the eager output shape. */
function shapeAt(model: tf.LayersModel, layerName: string, x: tf.Tensor): number[] {
  const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer(layerName).output as tf.SymbolicTensor });
  const y = sub.predict(x) as tf.Tensor;
  const shape = y.shape;
  y.dispose();
  return shape;
}

describe('model shapes', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('mnist-cnn: logits [N, classes] for odd batch sizes; stride-2 convs give 28 -> 14 -> 7', () => {
    const f = buildClassifier('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 7 });
    for (const n of [1, 3]) {
      const x = tf.randomUniform([n, 28, 28, 1], 0, 1, 'float32', 1);
      const y = f.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([n, 7]);
      tf.dispose([x, y]);
    }
    const x = tf.zeros([1, 28, 28, 1]);
    expect(shapeAt(f, 'conv1', x)).toEqual([1, 28, 28, 32]);
    expect(shapeAt(f, 'conv2', x)).toEqual([1, 14, 14, 32]);
    expect(shapeAt(f, 'conv3', x)).toEqual([1, 14, 14, 64]);
    expect(shapeAt(f, 'conv4', x)).toEqual([1, 7, 7, 64]);
    expect(shapeAt(f, 'flatten', x)).toEqual([1, 3136]);
    x.dispose();
    f.dispose();
  });

  it('mnist-mask: a mask in (0,1) with the input shape, also for odd image sizes', () => {
    for (const [h, w, n] of [[28, 28, 3], [27, 25, 1]]) {
      const g = buildMaskNet('mnist-mask', { inputShape: [h, w, 1], seed: 3 });
      const x = tf.randomUniform([n, h, w, 1], 0, 1, 'float32', 2);
      const m = g.predict(x) as tf.Tensor;
      expect(m.shape).toEqual([n, h, w, 1]);
      expect(m.min().dataSync()[0]).toBeGreaterThan(0);
      expect(m.max().dataSync()[0]).toBeLessThan(1);
      expect(shapeAt(g, 'conv1', x)).toEqual([n, Math.ceil(h / 2), Math.ceil(w / 2), 64]);
      tf.dispose([x, m]);
      g.dispose();
    }
  });

  it('preact-resnet18: [1, 10]; stages at 32, 16, 8, 4', () => {
    const f = buildClassifier('preact-resnet18', {
      inputShape: [32, 32, 3], numClasses: 10, mean: [0.4914, 0.4822, 0.4465], std: [0.2471, 0.2435, 0.2616],
    });
    const x = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 4);
    const y = f.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 10]);
    expect(Number.isFinite(y.sum().dataSync()[0])).toBe(true);
    // Symbolic shapes: running each sub-model would cost a forward pass per stage.
    expect(f.getLayer('layer1.1.add').outputShape).toEqual([null, 32, 32, 64]);
    expect(f.getLayer('layer2.0.conv1').outputShape).toEqual([null, 16, 16, 128]);
    expect(f.getLayer('layer3.0.conv1').outputShape).toEqual([null, 8, 8, 256]);
    expect(f.getLayer('layer4.1.add').outputShape).toEqual([null, 4, 4, 512]);
    tf.dispose([x, y]);
    f.dispose();
  });

  it('resnet18-mask: mask in (0,1) of the image shape, trunk ends at 512 x 4 x 4', () => {
    const g = buildMaskNet('resnet18-mask', { inputShape: [32, 32, 3] });
    const x = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 5);
    const m = g.predict(x) as tf.Tensor;
    expect(m.shape).toEqual([1, 32, 32, 3]);
    expect(m.min().dataSync()[0]).toBeGreaterThan(0);
    expect(m.max().dataSync()[0]).toBeLessThan(1);
    expect(g.getLayer('layer4.1.relu2').outputShape).toEqual([null, 4, 4, 512]);
    expect(g.getLayer('resize').outputShape).toEqual([null, 32, 32, 512]);
    tf.dispose([x, m]);
    g.dispose();
  });

  it('wide-resnet: a small one (depth 10, widen 2) runs; stages at 32, 16, 8', () => {
    const f = buildClassifier('wide-resnet', { inputShape: [32, 32, 3], numClasses: 10, depth: 10, widen: 2 });
    const x = tf.randomUniform([3, 32, 32, 3], 0, 1, 'float32', 6);
    const y = f.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([3, 10]);
    expect(f.getLayer('block1.layer.0.add').outputShape).toEqual([null, 32, 32, 32]);
    expect(f.getLayer('block2.layer.0.add').outputShape).toEqual([null, 16, 16, 64]);
    expect(f.getLayer('block3.layer.0.add').outputShape).toEqual([null, 8, 8, 128]);
    tf.dispose([x, y]);
    f.dispose();
  });

  it('WideResNet-34-10 layout without a forward pass: 5 blocks per stage, widths 160/320/640', () => {
    const f = buildClassifier('wide-resnet', { inputShape: [32, 32, 3], numClasses: 10 });
    const blocks = new Set(f.layers.map((l) => l.name.match(/^(block\d\.layer\.\d+)\./)?.[1]).filter(Boolean));
    expect(blocks.size).toBe(15);
    expect(f.getLayer('block1.layer.4.add').outputShape).toEqual([null, 32, 32, 160]);
    expect(f.getLayer('block2.layer.4.add').outputShape).toEqual([null, 16, 16, 320]);
    expect(f.getLayer('block3.layer.4.add').outputShape).toEqual([null, 8, 8, 640]);
    expect(f.layers.some((l) => l.name.startsWith('sub_block'))).toBe(false);
    f.dispose();
  });
});
