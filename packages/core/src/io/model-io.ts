/**
 * Models on disk in tfjs's own layers format (`model.json` + `weights.bin`, the files
 * `tfjs-node`'s `file://` handler writes), with plain `node:fs` since tfjs-node does not install
 * here. Saving is crash-safe (see {@link saveModel}); a model comes back either whole from its
 * model.json ({@link loadModel}) or as weights loaded into a model built from the same
 * architecture ({@link loadModelWeights}, as a training checkpoint is). Every error names the file
 * and what is wrong with it: missing, not JSON, truncated, longer than described, failing its
 * checksum, or not fitting the model.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonFile, writeFileAtomic } from './files.js';
// Side-effect imports: a saved model names these custom layers, so they must be registered.
import '../models/normalize-layer.js';
import '../models/padded-conv2d-layer.js';
import '../models/resize-nearest-layer.js';

/** File names inside a model directory. */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/**
 * An extra top-level field of model.json (tfjs ignores unknown fields): the size and SHA-256 of
 * weights.bin, so a model.json paired with another save's weights.bin is caught on load.
 */
interface WeightsStamp {
  bytes: number;
  sha256: string;
}

const errMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Bytes one weight occupies in a weights file, from its spec (quantised or not). */
function specBytes(spec: tf.io.WeightsManifestEntry, manifestFile: string): number {
  if (!Array.isArray(spec?.shape) || typeof spec?.name !== 'string') {
    throw new Error(`${manifestFile}: malformed weight entry ${JSON.stringify(spec)}`);
  }
  const size = spec.shape.reduce((a, d) => a * d, 1);
  const dtype: string = spec.quantization?.dtype ?? spec.dtype;
  const perValue: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };
  const bytes = perValue[dtype];
  if (bytes === undefined) throw new Error(`${manifestFile}: weight ${spec.name} has unsupported dtype ${dtype}`);
  return size * bytes;
}

/** Throws unless `actual` bytes are exactly what `specs` (read from `manifestFile`) describe. */
function checkLength(dataFile: string, actual: number, specs: tf.io.WeightsManifestEntry[], manifestFile: string): void {
  const expected = specs.reduce((a, s) => a + specBytes(s, manifestFile), 0);
  if (actual !== expected) {
    throw new Error(`${dataFile}: holds ${actual} bytes, the manifest describes ${expected} (truncated or corrupt)`);
  }
}

/** A tensor with a name, as tfjs optimisers and weight encoders take them. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Encode tensors in order as tfjs weight specs plus one contiguous buffer. */
export async function encodeTensors(tensors: NamedTensor[]): Promise<{ specs: tf.io.WeightsManifestEntry[]; data: Uint8Array }> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  return { specs, data: new Uint8Array(tf.io.CompositeArrayBuffer.join(data)) };
}

/** Decode a buffer written by {@link encodeTensors} (read from `file`), checking its length first. */
export function decodeTensors(file: string, bytes: Uint8Array, specs: tf.io.WeightsManifestEntry[]): NamedTensor[] {
  checkLength(file, bytes.byteLength, specs, file);
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const map = tf.io.decodeWeights(buf, specs);
  return specs.map((s) => ({ name: s.name, tensor: map[s.name] }));
}

function checkDir(dir: string, fn: string): void {
  if (typeof dir !== 'string' || dir === '') throw new Error(`${fn}: dir must be a non-empty path, got ${JSON.stringify(dir)}`);
}

/**
 * Saves `model` as `dir/model.json` + `dir/weights.bin` (creating `dir`). Each file is written
 * to a temp file, fsynced and renamed into place, weights first, and the directory fsynced, so a
 * crash leaves either the previous files or complete new ones; a crash between the two renames
 * leaves a pair that the loaders reject by the checksum stamp rather than loading mixed weights.
 */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  checkDir(dir, 'saveModel');
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts) throw new Error('saveModel: tfjs produced no model artifacts');
  const weights = artifacts.weightData == null ? new Uint8Array(0) : new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const stamp: WeightsStamp = { bytes: weights.byteLength, sha256: sha256(weights) };
  const json = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
    catWeights: stamp,
  };
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, WEIGHTS_BIN), weights);
  writeFileAtomic(path.join(dir, MODEL_JSON), JSON.stringify(json));
}

/** A model directory read and checked: model.json, its weight specs and the weights' bytes. */
interface ModelFiles {
  modelPath: string;
  json: Record<string, unknown>;
  specs: tf.io.WeightsManifestEntry[];
  data: Uint8Array;
  /** The weight files, for messages. */
  dataFiles: string;
}

/**
 * Reads `dir/model.json` and the weight files it lists, checking that model.json is a layers
 * model, that every weights path stays inside `dir`, that the bytes are exactly what the
 * manifest describes and that they match the checksum stamp when there is one. `label` names
 * the model in messages (`<file>: f (classifier) model description is not valid JSON`).
 */
function readModelFiles(dir: string, fn: string, label?: string): ModelFiles {
  checkDir(dir, fn);
  const modelPath = path.join(dir, MODEL_JSON);
  const what = label ? `${label} model description` : undefined;
  const subject = what ? `${modelPath}: ${what}` : modelPath;
  const json = readJsonFile(modelPath, what);
  if (json == null || typeof json !== 'object' || typeof json.modelTopology !== 'object' || json.modelTopology == null) {
    throw new Error(`${subject} has no modelTopology object (not a tfjs layers model.json)`);
  }
  const manifest = json.weightsManifest as tf.io.WeightsManifestConfig | undefined;
  if (!Array.isArray(manifest) || !manifest.every((g) => Array.isArray(g?.paths) && Array.isArray(g?.weights))) {
    throw new Error(`${subject} has no valid weightsManifest (expected [{paths: [...], weights: [...]}])`);
  }
  const specs = manifest.flatMap((g) => g.weights);
  const files = manifest.flatMap((g) => g.paths).map((p) => {
    if (typeof p !== 'string' || p === '' || p.includes('/') || p.includes('\\') || p.startsWith('.')) {
      throw new Error(`${modelPath}: weights path ${JSON.stringify(p)} must be a plain file name inside ${dir}`);
    }
    return path.join(dir, p);
  });
  const parts = files.map((file) => {
    try {
      return fs.readFileSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${file} does not exist (listed in ${modelPath})`);
      throw new Error(`${file}: cannot read (${errMessage(e)})`);
    }
  });
  const dataFiles = files.join(' + ') || '(no weight files)';
  const data = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  checkLength(dataFiles, data.byteLength, specs, modelPath);
  let offset = 0;
  for (const p of parts) {
    data.set(p, offset);
    offset += p.byteLength;
  }
  const stamp = json.catWeights as WeightsStamp | undefined;
  if (stamp?.sha256 !== undefined && sha256(data) !== stamp.sha256) {
    throw new Error(`${dataFiles} does not match the checksum in ${modelPath} (corrupt, or from another save)`);
  }
  return { modelPath, json, specs, data, dataFiles };
}

/**
 * Loads a model written by {@link saveModel} (or any tfjs layers model directory with
 * `model.json` and its weight files), topology and weights. Throws an Error naming the file when
 * model.json is missing or not JSON, when a weights file is missing, truncated, longer than
 * described or fails the checksum, and when the weights do not fit the topology.
 */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const m = readModelFiles(dir, 'loadModel');
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: m.json.modelTopology as object,
        weightSpecs: m.specs,
        weightData: m.data.buffer as ArrayBuffer,
        ...(m.json.trainingConfig ? { trainingConfig: m.json.trainingConfig as tf.io.TrainingConfig } : {}),
      }),
    );
  } catch (e) {
    throw new Error(`the weights in ${m.dataFiles} do not fit the model in ${m.modelPath}: ${errMessage(e)}`);
  }
}

/**
 * Loads the weights of a model directory into `model`, built from the same architecture (a
 * checkpoint's model, rebuilt from the run's config), after the checks of {@link loadModel} and
 * that the count and shapes match `model`'s weights. Weights are matched by position because tfjs
 * makes variable names unique per process. `label` names the model in messages.
 */
export function loadModelWeights(dir: string, model: tf.LayersModel, label: string): void {
  const m = readModelFiles(dir, 'loadModelWeights', label);
  const want = model.weights;
  if (m.specs.length !== want.length) {
    throw new Error(
      `${m.modelPath}: ${label} has ${m.specs.length} weight tensors, the architecture in the config expects ${want.length} (architecture mismatch)`,
    );
  }
  m.specs.forEach((s, i) => {
    const shape = want[i].shape;
    if (JSON.stringify(s.shape) !== JSON.stringify(shape)) {
      throw new Error(
        `${m.modelPath}: ${label} weight ${i} ("${s.name}") has shape [${s.shape}], the architecture in the config expects [${shape}] (shape mismatch)`,
      );
    }
  });
  const tensors = decodeTensors(m.dataFiles, m.data, m.specs).map((n) => n.tensor);
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}
