/**
 * Per-dataset training defaults, taken from SPEC.md's hyper-parameter table: the trainer's own
 * (architectures, optimiser, schedule, per-epoch check) here, the methods' settings from their
 * declarations in @cat/core.
 */

import { DATASET_NAMES, METHOD_SETTINGS, methodSettingDefaults, RECIPE_NAMES, type DatasetName, type RecipeName } from '@cat/core';

// Every dataset @cat/core loads has a preset (PRESETS is keyed by DatasetName, so a new dataset
// without one fails to compile); the names are re-exported for the trainer's callers.
export { DATASET_NAMES, type DatasetName };

/** Optimiser kinds the trainer builds. */
export type OptimizerKind = 'adam' | 'sgd';

/** The trainer's own defaults, per data set. */
export interface TrainerPreset {
  /** MNIST-like (28x28 gray) or CIFAR: which column of SPEC.md's table, and of the recipes. */
  family: 'mnist' | 'cifar';
  /** Classifier architecture (`f`). */
  arch: string;
  /** Mask network architecture (`g`, CAT only). */
  maskArch: string;
  optimizer: OptimizerKind;
  lr: number;
  momentum: number;
  weightDecay: number;
  /** Epochs (0-based count of finished epochs) at which lr is multiplied by `lrFactor`. */
  milestones: number[];
  lrFactor: number;
  epochs: number;
  batch: number;
  augment: boolean;
  /**
   * The per-epoch PGD check that also selects the best checkpoint (natural + robust accuracy):
   * its eps (null: the training eps), step (null: evalEps / 4), steps (10) and random start
   * (yes). The authors' MNIST script: 0.3, 0.015, 20, no random start.
   */
  evalEps: number | null;
  evalAlpha: number | null;
  evalSteps: number;
  evalRandomStart: boolean;
}

/**
 * The methods' settings (declared in @cat/core): the attack budget, CAT's a, b, kappa and mask
 * settings, TRADES's beta (MART's lambda), ...
 */
export interface MethodSettings {
  eps: number;
  alpha: number;
  steps: number;
  a: number;
  b: number;
  kappa: number;
  beta: number;
  ablation: string;
  detachWeight: boolean;
  detachTarget: boolean;
  maskWarmupEpochs: number;
  maskInit: number | null;
  maskLrScale: number;
  startRadius: number | null;
  clamp: boolean;
}

/** The defaults one preset fills in. */
export type Preset = TrainerPreset & MethodSettings;

/**
 * Recipes (declared in @cat/core with the methods): where the defaults a user did not set come
 * from; see `RECIPES` there.
 */
export { RECIPE_NAMES, type RecipeName };

/**
 * The defaults for `method` on `dataset` under `recipe`: the dataset's preset with the method's
 * declared defaults and the recipe's changes on top (@cat/core's `methodSettingDefaults`).
 */
export function presetFor(dataset: DatasetName, method: string, recipe: RecipeName): Readonly<Preset> {
  return { ...PRESETS[dataset], ...(methodSettingDefaults(method, dataset, recipe) as Partial<Preset>) };
}

/** The per-epoch check's defaults: PGD-10 with a random start at the training eps, step eps/4. */
const EVAL_DEFAULTS = { evalEps: null, evalAlpha: null, evalSteps: 10, evalRandomStart: true } as const;

const mnist: TrainerPreset = {
  family: 'mnist',
  arch: 'mnist-cnn',
  maskArch: 'mnist-mask',
  optimizer: 'adam',
  lr: 1e-3,
  momentum: 0,
  weightDecay: 0,
  milestones: [30],
  lrFactor: 0.1,
  epochs: 40,
  batch: 100,
  augment: false,
  ...EVAL_DEFAULTS,
};

const cifar10: TrainerPreset = {
  family: 'cifar',
  arch: 'preact-resnet18',
  maskArch: 'resnet18-mask',
  optimizer: 'sgd',
  lr: 0.1,
  momentum: 0.9,
  weightDecay: 5e-4,
  milestones: [100, 120],
  lrFactor: 0.1,
  epochs: 140,
  batch: 128,
  augment: true,
  ...EVAL_DEFAULTS,
};

/** A data set's preset: the trainer's defaults and every method setting's SPEC.md value there. */
function preset(dataset: DatasetName, trainer: TrainerPreset): Readonly<Preset> {
  // Any method gives every setting (its own and, for the others, their declarers' values).
  const settings = methodSettingDefaults('cat-cent', dataset, 'spec') as unknown as MethodSettings;
  return { ...trainer, ...settings };
}

const mnistPreset = preset('mnist', mnist);

/**
 * The presets by dataset. `mnist-digits` (the 10,000 embedded digits) trains like MNIST;
 * Fashion-MNIST too, with its own budget (@cat/core's DATASET_DEFAULTS).
 */
export const PRESETS: Readonly<Record<DatasetName, Readonly<Preset>>> = {
  mnist: mnistPreset,
  'mnist-digits': mnistPreset,
  'fashion-mnist': preset('fashion-mnist', mnist),
  cifar10: preset('cifar10', cifar10),
  cifar100: preset('cifar100', { ...cifar10, milestones: [100, 110], epochs: 120 }),
};

/** The method settings a configuration holds (every method's, declared in @cat/core). */
export const METHOD_SETTING_KEYS: readonly string[] = METHOD_SETTINGS.map((s) => s.key);

/** Milestones for WideResNet on CIFAR-10 (SPEC: x0.1 at 100 and 110). */
export const WRN_MILESTONES = [100, 110];
