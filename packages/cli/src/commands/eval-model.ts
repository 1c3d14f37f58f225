/**
 * What `cat-cli eval` evaluates besides run directories: a tfjs layers model directory
 * (model.json + weights) or a PyTorch state dict saved as safetensors for one of cat's classifier
 * architectures (`--arch`), such as RobustBench's PreAct ResNet-18 and WideResNet-34-10
 * checkpoints. Neither carries a data set or a training eps, so `--dataset` and `--eps` are
 * required; the input normalisation of a state dict is `--mean/--std`, else the file's
 * `mu`/`sigma` buffers, else none (RobustBench's models take images in [0,1]).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import {
  CLASSIFIER_ARCHS,
  DATASET_NAMES,
  datasetInfo,
  loadModel,
  loadSafetensorsClassifier,
  MODEL_JSON,
  type ClassifierArch,
  type DatasetName,
} from '@cat/core';
import { InvalidArgumentError } from 'commander';
import { CliError } from '../errors.js';

/** The flags that describe a model file. */
export interface ModelInputFlags {
  /** Architecture of a safetensors state dict. */
  arch?: ClassifierArch;
  /** Test set of a model file (also its image shape and classes). */
  dataset?: DatasetName;
  /** Directory of the data set's files. */
  dataDir?: string;
  /** Input normalisation of a safetensors state dict, per channel (or one value for all). */
  mean?: number[];
  std?: number[];
  eps?: number;
}

/** A model file loaded for evaluation. */
export interface ModelInput {
  f: tf.LayersModel;
  format: 'tfjs' | 'safetensors';
  arch: string;
  dataset: DatasetName;
  dataDir?: string;
  /** Table row label: the file's name and its architecture. */
  label: string;
  /** Lines worth printing: where the normalisation came from, what was skipped. */
  notes: string[];
  normalization?: { mean: number[]; std: number[]; source: string };
}

const MODEL_FLAGS = ['arch', 'dataset', 'mean', 'std'] as const;
const flagName = (k: string) => `--${k}`;

/** A `--mean` / `--std` list: comma-separated numbers. */
export function numberListArg(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.some((p) => p === '') || nums.some((n) => !Number.isFinite(n))) {
    throw new InvalidArgumentError(`expected comma-separated numbers (one per channel, or one for all), got "${value}"`);
  }
  return nums;
}

/**
 * Loads `target` when it is a model file: a `.safetensors` file (needs `--arch`) or a directory
 * with model.json and no config.json. Returns null for anything else (a run directory, or a path
 * the run loader reports on). Model flags given with a run directory are an error.
 */
export async function loadModelInput(target: string, flags: ModelInputFlags): Promise<ModelInput | null> {
  if (!fs.existsSync(target)) return null;
  const given = MODEL_FLAGS.filter((k) => flags[k] !== undefined);
  const isDir = fs.statSync(target).isDirectory();
  if (isDir && (fs.existsSync(path.join(target, 'config.json')) || !fs.existsSync(path.join(target, MODEL_JSON)))) {
    if (given.length > 0) {
      throw new CliError(`${given.map(flagName).join(', ')}: for model files only; ${target} is a run directory (it brings its own from config.json)`);
    }
    return null;
  }
  if (!isDir && !target.endsWith('.safetensors')) {
    throw new CliError(`${target}: not a run directory, a tfjs model directory (${MODEL_JSON}) or a .safetensors state dict`);
  }
  const format = isDir ? 'tfjs' : 'safetensors';
  if (flags.dataset === undefined) throw new CliError(`${target}: a model file needs --dataset (${DATASET_NAMES.join(', ')}): the test set, image shape and classes`);
  if (flags.eps === undefined) throw new CliError(`${target}: a model file needs --eps (there is no training eps to default to; RobustBench's CIFAR L-inf models use 8/255 = 0.0313725)`);
  const info = datasetInfo(flags.dataset);
  const shape: [number, number, number] = [info.height, info.width, info.channels];
  const base = { format, dataset: flags.dataset, dataDir: flags.dataDir } as const;
  if (format === 'tfjs') {
    const wrong = given.filter((k) => k !== 'dataset');
    if (wrong.length > 0) throw new CliError(`${wrong.map(flagName).join(', ')}: for .safetensors files only; the tfjs model in ${target} has its own architecture and normalisation`);
    let f: tf.LayersModel;
    try {
      f = await loadModel(target);
    } catch (err) {
      throw new CliError(`cannot load the model in ${target}: ${(err as Error).message}`);
    }
    const inShape = f.inputs[0].shape.slice(1);
    const outShape = f.outputs[0].shape.slice(1);
    if (inShape.join() !== shape.join() || outShape.join() !== String(info.numClasses)) {
      f.dispose();
      throw new CliError(
        `${target}: the model takes [${inShape}] and gives [${outShape}], ${flags.dataset} needs images [${shape}] and ${info.numClasses} logits`,
      );
    }
    return { ...base, f, arch: f.name, label: `${path.basename(path.resolve(target))} (${f.name})`, notes: [] };
  }
  if (flags.arch === undefined) throw new CliError(`${target}: a .safetensors state dict needs --arch (${CLASSIFIER_ARCHS.join(', ')})`);
  try {
    const loaded = loadSafetensorsClassifier(target, { arch: flags.arch, inputShape: shape, numClasses: info.numClasses, mean: flags.mean, std: flags.std });
    const n = loaded.normalization;
    const from = { options: 'from --mean/--std', file: "from the file's mu/sigma buffers", none: 'none: the network takes images in [0,1] (give --mean/--std if it expects normalised ones)' }[n.source];
    const notes = [`${target}: ${flags.arch} (${loaded.model.name}), input normalisation mean [${n.mean}] std [${n.std}] ${from}`];
    if (loaded.ignored.length > 0) notes.push(`${target}: ignored ${loaded.ignored.length} tensor(s) without a counterpart (${loaded.ignored.slice(0, 3).join(', ')}${loaded.ignored.length > 3 ? ', ...' : ''})`);
    return { ...base, f: loaded.model, arch: flags.arch, label: `${path.basename(target)} (${flags.arch})`, notes, normalization: n };
  } catch (err) {
    throw new CliError(`cannot load ${target} as ${flags.arch}: ${(err as Error).message}`);
  }
}
