/** One entry point per network role: `buildClassifier` for f, `buildMaskNet` for g. */
import * as tf from '@tensorflow/tfjs';
import { buildMnistCnn } from './mnist-cnn.js';
import { buildMnistMask } from './mnist-mask.js';
import { buildPreActResNet18 } from './preact-resnet.js';
import { buildResNet18Mask } from './resnet18-mask.js';
import { buildWideResNet } from './wide-resnet.js';
import { checkImageShape, checkPositiveInt, checkSeed } from './validate.js';

/** The classifier architectures of SPEC.md. */
export type ClassifierArch = 'mnist-cnn' | 'preact-resnet18' | 'wide-resnet';
/** The mask-network architectures of SPEC.md. */
export type MaskArch = 'mnist-mask' | 'resnet18-mask';

/** Every classifier architecture, for argument checks and help texts. */
export const CLASSIFIER_ARCHS: readonly ClassifierArch[] = ['mnist-cnn', 'preact-resnet18', 'wide-resnet'];
/** Every mask-network architecture. */
export const MASK_ARCHS: readonly MaskArch[] = ['mnist-mask', 'resnet18-mask'];

/** Options of {@link buildClassifier}. */
export interface ClassifierOptions {
  /** `[height, width, channels]`, e.g. `[28, 28, 1]` or `[32, 32, 3]`. */
  inputShape: [number, number, number];
  numClasses: number;
  /** Per-channel dataset mean for the normalisation layer (default 0: identity). */
  mean?: number[];
  /** Per-channel dataset std for the normalisation layer (default 1: identity). */
  std?: number[];
  /** Seed of all initialisers: the same seed gives the same weights. Default 0. */
  seed?: number;
  /** WideResNet depth, `6n + 4` (default 34). */
  depth?: number;
  /** WideResNet widen factor (default 10). */
  widen?: number;
}

/** Options of {@link buildMaskNet}. */
export interface MaskNetOptions {
  /** `[height, width, channels]` of the images; the mask has the same shape. */
  inputShape: [number, number, number];
  /** Seed of all initialisers (default 0). */
  seed?: number;
  /**
   * Start the mask near this value in (0,1): the output layer's bias is set to `logit(m0)`
   * instead of its seeded initialisation (default: unset, the architecture's initialisation, so
   * m starts near 0.5). Not in SPEC.md; one of the remedies against the mask collapse.
   */
  initialMask?: number;
}

/**
 * Builds a freshly initialised classifier f: images in [0,1] (NHWC) to logits, with the dataset
 * normalisation `(x - mean) / std` as its first layer and PyTorch's default initialisation
 * (TRADES's for the WideResNet), seeded by `seed`.
 */
export function buildClassifier(arch: ClassifierArch, opts: ClassifierOptions): tf.LayersModel {
  const who = `buildClassifier(${JSON.stringify(arch)})`;
  if (!CLASSIFIER_ARCHS.includes(arch)) {
    throw new Error(`buildClassifier: unknown architecture ${JSON.stringify(arch)} (expected one of ${CLASSIFIER_ARCHS.join(', ')})`);
  }
  if (opts == null || typeof opts !== 'object') throw new Error(`${who}: options object is required`);
  const inputShape = checkImageShape(opts.inputShape, who);
  const numClasses = checkPositiveInt(opts.numClasses, 'numClasses', who);
  const seed = checkSeed(opts.seed, who);
  const common = { inputShape, numClasses, mean: opts.mean, std: opts.std, seed };
  switch (arch) {
    case 'mnist-cnn':
      return buildMnistCnn(common);
    case 'preact-resnet18':
      return buildPreActResNet18(common);
    case 'wide-resnet': {
      const depth = checkPositiveInt(opts.depth ?? 34, 'depth', who);
      const widen = checkPositiveInt(opts.widen ?? 10, 'widen', who);
      if (depth < 10 || (depth - 4) % 6 !== 0) {
        throw new Error(`${who}: depth must be 6n + 4 with n >= 1 (10, 16, 22, 28, 34, ...), got ${depth}`);
      }
      return buildWideResNet({ ...common, depth, widen });
    }
  }
}

/**
 * Builds a freshly initialised mask network g: images in [0,1] to a mask in (0,1) of the same
 * shape (a sigmoid output). It has no normalisation layer: it sees the raw image.
 */
export function buildMaskNet(arch: MaskArch, opts: MaskNetOptions): tf.LayersModel {
  const who = `buildMaskNet(${JSON.stringify(arch)})`;
  if (!MASK_ARCHS.includes(arch)) {
    throw new Error(`buildMaskNet: unknown architecture ${JSON.stringify(arch)} (expected one of ${MASK_ARCHS.join(', ')})`);
  }
  if (opts == null || typeof opts !== 'object') throw new Error(`${who}: options object is required`);
  const inputShape = checkImageShape(opts.inputShape, who);
  const seed = checkSeed(opts.seed, who);
  const m0 = opts.initialMask;
  const g = arch === 'mnist-mask' ? buildMnistMask(inputShape, seed) : buildResNet18Mask(inputShape, seed);
  if (m0 !== undefined) setInitialMask(g, m0);
  return g;
}

/**
 * Starts a mask network near the mask value `m0` in (0,1): sets the bias of its last layer that
 * has one (the conv before the sigmoid) to `logit(m0)`.
 */
export function setInitialMask(g: tf.LayersModel, m0: number): void {
  if (!(typeof m0 === 'number' && m0 > 0 && m0 < 1)) {
    throw new Error(`setInitialMask: the initial mask must be a number in (0, 1), got ${JSON.stringify(m0)}`);
  }
  for (let i = g.layers.length - 1; i >= 0; i--) {
    const bias = g.layers[i].weights.find((w) => w.originalName.endsWith('bias'));
    if (bias) {
      const filled = tf.fill(bias.shape as number[], Math.log(m0 / (1 - m0)));
      bias.write(filled);
      filled.dispose();
      return;
    }
  }
  throw new Error(`setInitialMask: mask network ${g.name} has no bias in any layer to initialise`);
}

/**
 * The spec's default pair of architectures for a data set: MNIST-like (`mnist`, `mnist-digits`,
 * `fashion-mnist`, anything naming mnist) get the small CNN and its mask net; CIFAR
 * (`cifar10`, `cifar-100`, ...) get PreAct ResNet-18 and the ResNet-18 mask net.
 */
export function defaultArchs(dataset: string): { f: ClassifierArch; g: MaskArch } {
  const name = typeof dataset === 'string' ? dataset.toLowerCase() : '';
  if (name.includes('mnist')) return { f: 'mnist-cnn', g: 'mnist-mask' };
  if (name.includes('cifar')) return { f: 'preact-resnet18', g: 'resnet18-mask' };
  throw new Error(
    `defaultArchs: no default architectures for data set ${JSON.stringify(dataset)} (expected an MNIST-like name such as mnist or fashion-mnist, or cifar10 / cifar100)`,
  );
}
