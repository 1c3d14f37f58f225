/**
 * A PyTorch state dict saved as safetensors, loaded into one of cat's classifier architectures
 * (the names and layouts are in models/torch-names.ts). Published robust checkpoints
 * (RobustBench's PreAct ResNet-18 and WideResNets) load this way once converted with
 * `safetensors.torch.save_file(model.state_dict(), 'model.safetensors')`.
 */
import * as tf from '@tensorflow/tfjs';
import { buildClassifier, CLASSIFIER_ARCHS, type ClassifierArch, type ClassifierOptions } from '../models/build.js';
import { isIgnoredTorchName, torchStateDictLayout, wideResNetSize } from '../models/torch-names.js';
import { readSafetensors, safetensorsToFloat32, SAFETENSORS_FLOAT_DTYPES, type SafetensorsEntry } from './safetensors.js';

/** Options of {@link loadSafetensorsClassifier}. */
export interface SafetensorsClassifierOptions {
  arch: ClassifierArch;
  /** `[height, width, channels]` of the images. */
  inputShape: [number, number, number];
  numClasses: number;
  /**
   * The input normalisation `(x - mean) / std` the network expects, per channel. Default: the
   * file's `mu` and `sigma` buffers when it has them (RobustBench's models that normalise inside
   * keep them there), else none (mean 0, std 1: RobustBench's models take [0,1] inputs).
   */
  mean?: number[];
  std?: number[];
  /** WideResNet depth and widen factor (default: read from the state dict's block1). */
  depth?: number;
  widen?: number;
}

/** Where the normalisation of a loaded classifier came from. */
export interface LoadedNormalization {
  mean: number[];
  std: number[];
  source: 'options' | 'file' | 'none';
}

/** A classifier loaded from a state dict. */
export interface SafetensorsClassifier {
  model: tf.LayersModel;
  normalization: LoadedNormalization;
  /** State-dict keys that were skipped (`num_batches_tracked`, an unused `sub_block1`). */
  ignored: string[];
  metadata: Record<string, string>;
}

/** Names of the normalisation buffers RobustBench's models register. */
const NORM_BUFFERS = ['mu', 'sigma'] as const;

const DATA_PARALLEL = 'module.';

/** The state dict's keys without DataParallel's `module.` prefix. */
function stripPrefix(tensors: Map<string, SafetensorsEntry>, file: string): Map<string, SafetensorsEntry> {
  const out = new Map<string, SafetensorsEntry>();
  for (const [name, t] of tensors) {
    const key = name.startsWith(DATA_PARALLEL) ? name.slice(DATA_PARALLEL.length) : name;
    if (out.has(key)) throw new Error(`${file}: tensors "${name}" and "${out.get(key)!.name}" both name "${key}" once the "${DATA_PARALLEL}" prefix is stripped`);
    out.set(key, t);
  }
  return out;
}

/** The mean and std: the options', else the file's mu/sigma (which must agree with the options when both exist). */
function normalization(tensors: Map<string, SafetensorsEntry>, opts: SafetensorsClassifierOptions, file: string): LoadedNormalization {
  const channels = opts.inputShape[2];
  const present = NORM_BUFFERS.filter((n) => tensors.has(n));
  if (present.length === 1) {
    throw new Error(`${file}: has a "${present[0]}" tensor but no "${NORM_BUFFERS.find((n) => n !== present[0])}" (expected both normalisation buffers or neither)`);
  }
  let fromFile: { mean: number[]; std: number[] } | undefined;
  if (present.length === 2) {
    const [mean, std] = NORM_BUFFERS.map((n) => {
      const t = tensors.get(n)!;
      const size = t.shape.reduce((a, d) => a * d, 1);
      if (size !== channels && size !== 1) {
        throw new Error(`${file}: tensor "${n}" has shape [${t.shape}], expected ${channels} values (one per channel) or 1`);
      }
      const v = Array.from(safetensorsToFloat32(t, file));
      return v.length === 1 ? new Array<number>(channels).fill(v[0]) : v;
    });
    fromFile = { mean, std };
  }
  if (opts.mean === undefined && opts.std === undefined) {
    return fromFile ? { ...fromFile, source: 'file' } : { mean: new Array(channels).fill(0), std: new Array(channels).fill(1), source: 'none' };
  }
  const mean = opts.mean ?? new Array<number>(channels).fill(0);
  const std = opts.std ?? new Array<number>(channels).fill(1);
  const full = (v: number[]) => (v.length === 1 ? new Array<number>(channels).fill(v[0]) : v);
  if (fromFile) {
    const differs = (a: number[], b: number[]) => a.length !== b.length || a.some((x, i) => Math.abs(x - b[i]) > 1e-6 * Math.max(1, Math.abs(b[i])));
    if (differs(full(mean), fromFile.mean) || differs(full(std), fromFile.std)) {
      throw new Error(
        `${file}: the normalisation given (mean [${mean}], std [${std}]) differs from the file's mu [${fromFile.mean}] and sigma [${fromFile.std}], which the network applies itself; leave mean and std out to use the file's`,
      );
    }
  }
  return { mean, std, source: 'options' };
}

/**
 * Builds `opts.arch` and sets its weights from the PyTorch state dict in the safetensors `file`:
 * conv kernels OIHW -> HWIO, linear weights transposed (and re-ordered after a flatten),
 * BatchNorm weight/bias/running_mean/running_var as gamma/beta/moving_mean/moving_variance;
 * a DataParallel `module.` prefix is stripped; F16, BF16, F32 and F64 become float32. Every
 * check runs before any weight is set, and a failure disposes the model, so nothing is loaded
 * partially. Throws, naming the file and listing every mismatch (each with the tensor and what
 * was expected), for missing or unexpected tensors, wrong shapes and non-float dtypes, and for
 * a malformed file (see `parseSafetensors`).
 */
export function loadSafetensorsClassifier(file: string, opts: SafetensorsClassifierOptions): SafetensorsClassifier {
  if (!CLASSIFIER_ARCHS.includes(opts?.arch)) {
    throw new Error(`loadSafetensorsClassifier: unknown architecture ${JSON.stringify(opts?.arch)} (expected one of ${CLASSIFIER_ARCHS.join(', ')})`);
  }
  const parsed = readSafetensors(file);
  const tensors = stripPrefix(parsed.tensors, file);
  const norm = normalization(tensors, opts, file);
  const size = opts.arch === 'wide-resnet' ? wideResNetSize(new Map([...tensors].map(([k, t]) => [k, t.shape]))) : null;
  const build: ClassifierOptions = {
    inputShape: opts.inputShape,
    numClasses: opts.numClasses,
    mean: norm.mean,
    std: norm.std,
    depth: opts.depth ?? size?.depth,
    widen: opts.widen ?? size?.widen,
  };
  const model = buildClassifier(opts.arch, build);
  const converted: tf.Tensor[] = [];
  try {
    const layout = torchStateDictLayout(model);
    const expected = new Set(layout.map((s) => s.name));
    const problems: string[] = [];
    for (const s of layout) {
      const t = tensors.get(s.name);
      if (!t) problems.push(`missing tensor "${s.name}" (expected shape [${s.shape}])`);
      else if (t.shape.join() !== s.shape.join()) problems.push(`tensor "${s.name}" has shape [${t.shape}], expected [${s.shape}]`);
      else if (!SAFETENSORS_FLOAT_DTYPES.includes(t.dtype)) problems.push(`tensor "${s.name}" has dtype ${t.dtype}, expected a float dtype (${SAFETENSORS_FLOAT_DTYPES.join(', ')})`);
    }
    const ignored: string[] = [];
    for (const name of tensors.keys()) {
      if (expected.has(name) || (NORM_BUFFERS as readonly string[]).includes(name)) continue;
      if (isIgnoredTorchName(opts.arch, name)) ignored.push(name);
      else problems.push(`unexpected tensor "${name}" (shape [${tensors.get(name)!.shape}]): ${opts.arch} has no such weight`);
    }
    if (problems.length > 0) {
      const shown = problems.slice(0, 20);
      const more = problems.length > shown.length ? `\n  ... and ${problems.length - shown.length} more` : '';
      const misfits = layout.filter((s) => tensors.get(s.name)?.shape.join() !== s.shape.join()).length;
      const hint = misfits > layout.length / 2 ? `\n  ${misfits} of the ${layout.length} tensors ${opts.arch} needs are missing or do not fit: is this a ${opts.arch} state dict?` : '';
      const sizeNote = opts.arch === 'wide-resnet' ? ` (depth ${build.depth ?? 34}, widen ${build.widen ?? 10})` : '';
      throw new Error(
        `${file}: the state dict does not fit ${opts.arch}${sizeNote} with ${opts.numClasses} classes on [${opts.inputShape}] images:\n  ${shown.join('\n  ')}${more}${hint}`,
      );
    }
    for (const s of layout) {
      const entry = tensors.get(s.name)!;
      const raw = tf.tensor(safetensorsToFloat32(entry, file), entry.shape, 'float32');
      try {
        converted.push(s.toTfjs(raw));
      } finally {
        raw.dispose();
      }
    }
    layout.forEach((s, i) => s.variable.write(converted[i]));
    return { model, normalization: norm, ignored, metadata: parsed.metadata };
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    tf.dispose(converted);
  }
}
