/**
 * What the trainer needs from @cat/core, behind one interface so that tests can swap in tiny
 * fakes (a two-layer model, a method that injects a NaN) and check the trainer's own logic.
 */
import * as tf from '@tensorflow/tfjs';
import * as core from '@cat/core';
import type { ImageSet, TrainMethod } from '@cat/core';
import type { TrainConfig } from './config.js';

/** The data a run trains and evaluates on. */
export interface TrainData {
  train: ImageSet;
  test: ImageSet;
  numClasses: number;
  mean: number[];
  std: number[];
}

/** Per-epoch accuracies on the test (sub)set, in [0,1]. */
export interface EpochAccuracy {
  naturalAcc: number;
  pgd10Acc: number;
}

/** The pieces the training loop is assembled from. */
export interface TrainDeps {
  /** Activate the tfjs backend; returns the name that is active afterwards. */
  setBackend(name: TrainConfig['backend']): Promise<string>;
  /** Load the data set and cut the configured subsets. */
  loadData(cfg: TrainConfig): Promise<TrainData>;
  /** Fresh, seeded models: `f`, and `g` when the method trains a mask. */
  buildModels(cfg: TrainConfig, data: TrainData, needsMask: boolean): { f: tf.LayersModel; g?: tf.LayersModel };
  createMethod(cfg: TrainConfig): TrainMethod;
  /**
   * Natural and PGD-10 accuracy of `f` on `test`; `seed` makes the random starts repeatable.
   * `onProgress` gets examples done and total over both passes.
   */
  evaluate(f: tf.LayersModel, test: ImageSet, cfg: TrainConfig, seed: number, onProgress?: (done: number, total: number) => void): Promise<EpochAccuracy>;
}

/** Seed of the subset draws: fixed per run seed and independent of the training stream. */
function subsetRng(cfg: TrainConfig, salt: number): core.Rng {
  return new core.Rng((cfg.seed ^ salt) >>> 0);
}

/** The real pieces, from @cat/core. */
export const coreDeps: TrainDeps = {
  async setBackend(name) {
    const useBackend = (core as Record<string, unknown>).useBackend as ((n: string) => Promise<unknown>) | undefined;
    if (typeof useBackend === 'function') await useBackend(name);
    else if (!(await tf.setBackend(name))) throw new Error(`backend ${name} could not be initialised`);
    return tf.getBackend();
  },

  async loadData(cfg) {
    const ds = await core.loadDataset(cfg.dataset, { dir: cfg.dataDir ?? undefined, download: cfg.download });
    const train = cfg.trainSubset !== null ? core.subset(ds.train, cfg.trainSubset, subsetRng(cfg, 0x7a11)) : ds.train;
    const test = cfg.testSubset !== null ? core.subset(ds.test, cfg.testSubset, subsetRng(cfg, 0x7e57)) : ds.test;
    return { train, test, numClasses: ds.numClasses, mean: ds.mean, std: ds.std };
  },

  buildModels(cfg, data, needsMask) {
    const inputShape: [number, number, number] = [data.train.height, data.train.width, data.train.channels];
    const f = core.buildClassifier(cfg.arch as core.ClassifierArch, {
      inputShape,
      numClasses: data.numClasses,
      mean: data.mean,
      std: data.std,
      seed: cfg.seed,
    });
    const g = needsMask
      ? core.buildMaskNet(cfg.maskArch as core.MaskArch, { inputShape, seed: (cfg.seed + 1) >>> 0, initialMask: cfg.maskInit ?? undefined })
      : undefined;
    return { f, g };
  },

  createMethod(cfg) {
    // The method's options are its declared settings, by the names it declares them under.
    return core.createMethod(cfg.method, core.methodOptionsFromSettings(cfg.method, cfg as unknown as Record<string, unknown>));
  },

  async evaluate(f, test, cfg, seed, onProgress) {
    const classifier = core.asClassifier(f, false);
    const attack = new core.PGD({
      eps: cfg.evalEps,
      alpha: cfg.evalAlpha,
      steps: cfg.evalSteps,
      randomStart: cfg.evalRandomStart,
      rng: new core.Rng(seed),
      name: 'pgd10',
    });
    const r = await core.evaluate(classifier, test, [{ name: 'pgd10', attack }], {
      batchSize: cfg.batch,
      onProgress: onProgress && ((p) => onProgress(p.attackIndex * p.total + p.done, p.attackCount * p.total)),
    });
    const acc = (n: string) => r.accuracies.find((a) => a.name === n)!.accuracy;
    return { naturalAcc: acc('natural'), pgd10Acc: acc('pgd10') };
  },
};
