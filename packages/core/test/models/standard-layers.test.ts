/**
 * toStandardModel: cat's models rebuilt from stock tfjs layers compute the same outputs, and
 * the one-line registration module is a package export. (That stock tfjs, with no cat code,
 * loads what `cat-cli export` writes is tested in packages/cli/test/export-stock.test.ts.)
 */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildClassifier, buildMaskNet, toStandardModel } from '@cat/core';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function expectSameOutputs(a: tf.LayersModel, b: tf.LayersModel): void {
  const [diff, scale] = tf.tidy(() => {
    const x = tf.randomUniform([2, ...(a.inputs[0].shape.slice(1) as number[])], 0, 1, 'float32', 5);
    const ya = a.predict(x) as tf.Tensor;
    const yb = b.predict(x) as tf.Tensor;
    expect(yb.shape).toEqual(ya.shape);
    return [tf.max(tf.abs(tf.sub(ya, yb))).dataSync()[0], tf.max(tf.abs(ya)).dataSync()[0]];
  });
  expect(scale).toBeGreaterThan(0);
  expect(diff).toBeLessThanOrEqual(1e-5 * Math.max(1, scale));
}

describe('toStandardModel', () => {
  it('rewrites mnist-cnn (with a non-identity normalisation) and mnist-mask into stock layers with the same outputs', () => {
    const f = buildClassifier('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10, mean: [0.3], std: [0.25], seed: 1 });
    const g = buildMaskNet('mnist-mask', { inputShape: [28, 28, 1], seed: 2 });
    for (const m of [f, g]) {
      const s = toStandardModel(m);
      expect(m.layers.some((l) => l.getClassName().startsWith('Cat'))).toBe(true);
      expect(s.layers.filter((l) => l.getClassName().startsWith('Cat'))).toEqual([]);
      // Same weights by name, so a stock load matches them up.
      expect(s.weights.map((w) => w.originalName).filter((n) => !n.startsWith('normalize/'))).toEqual(
        m.weights.map((w) => w.originalName),
      );
      expectSameOutputs(m, s);
      tf.dispose([m, s] as never);
    }
  });

  it('drops an identity normalisation and keeps layer names', () => {
    const f = buildClassifier('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 3 });
    const s = toStandardModel(f);
    expect(s.layers.map((l) => l.name)).not.toContain('normalize');
    expect(s.getLayer('conv2').getClassName()).toBe('Conv2D');
    expect(s.getLayer('conv2_pad').getClassName()).toBe('ZeroPadding2D');
    expectSameOutputs(f, s);
    tf.dispose([f, s] as never);
  });

  it('refuses a nearest resize by a non-integer factor, which no stock layer does exactly', () => {
    const g = buildMaskNet('mnist-mask', { inputShape: [27, 27, 1], seed: 2 });
    expect(() => toStandardModel(g)).toThrow(/layer resize resizes 14x14 to 27x27, not a whole multiple/);
    g.dispose();
  });

  it("'@cat/core/layers' is a package export, types first, pointing at the registration module", () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const entry = pkg.exports['./layers'];
    expect(Object.keys(entry)[0]).toBe('types');
    expect(entry.types).toBe('./dist/layers.d.ts');
    expect(entry.import).toBe('./dist/layers.js');
    expect(fs.existsSync(new URL(`../../${entry.source}`, import.meta.url))).toBe(true);
  });
});
