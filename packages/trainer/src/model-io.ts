/**
 * A tfjs LayersModel on disk in tfjs's own format (`model.json` + `weights.bin`), written with
 * fsync for crash safety and read back into a model built from the run's config, with errors
 * that name the file and the mismatch.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileSynced } from './atomic-fs.js';
import type { NamedTensor } from './optimizers.js';

/** Read and parse a JSON file; errors name the file and say what is wrong with it. */
export function readJsonFile(file: string, what = 'JSON file'): any {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err: any) {
    if (err?.code === 'ENOENT') throw new Error(`${file}: ${what} is missing`);
    throw new Error(`${file}: cannot read ${what}: ${err?.message ?? err}`);
  }
  try {
    return JSON.parse(text);
  } catch (err: any) {
    throw new Error(`${file}: ${what} is not valid JSON (${err?.message ?? err})`);
  }
}

/** Encode tensors in order as tfjs weight specs plus one contiguous buffer. */
export async function encodeTensors(tensors: NamedTensor[]): Promise<{ specs: tf.io.WeightsManifestEntry[]; data: Uint8Array }> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  return { specs, data: new Uint8Array(tf.io.CompositeArrayBuffer.join(data)) };
}

/** Decode a buffer written by {@link encodeTensors}, checking its length first. */
export function decodeTensors(file: string, bytes: Uint8Array, specs: tf.io.WeightsManifestEntry[]): NamedTensor[] {
  const bytesPer: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
  let expected = 0;
  for (const s of specs) {
    const per = bytesPer[s.dtype];
    if (per === undefined || !Array.isArray(s.shape)) throw new Error(`${file}: unsupported weight spec ${JSON.stringify(s)}`);
    expected += per * s.shape.reduce((a, b) => a * b, 1);
  }
  if (bytes.byteLength !== expected) {
    throw new Error(`${file}: holds ${bytes.byteLength} bytes, the manifest describes ${expected} (truncated or corrupt)`);
  }
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const map = tf.io.decodeWeights(buf, specs);
  return specs.map((s) => ({ name: s.name, tensor: map[s.name] }));
}

/**
 * Write `model` into `dir` (created) as `model.json` + `weights.bin`, each fsynced. The caller
 * makes the directory appear atomically (see commitDir).
 */
export async function writeModelDir(model: tf.LayersModel, dir: string): Promise<void> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts?.weightSpecs || artifacts.weightData === undefined) throw new Error('writeModelDir: tfjs produced no weights');
  fs.mkdirSync(dir, { recursive: true });
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const json = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
  };
  writeFileSynced(path.join(dir, 'weights.bin'), weights);
  writeFileSynced(path.join(dir, 'model.json'), JSON.stringify(json));
}

/**
 * Read the weights of a model dir and check them against `model` (built from the run's
 * config): same count, same shapes, in order. Returns the decoded tensors (caller disposes).
 * Weights are matched by position because tfjs makes variable names unique per process.
 */
export function readModelWeights(dir: string, model: tf.LayersModel, label: string): tf.Tensor[] {
  const jsonFile = path.join(dir, 'model.json');
  const json = readJsonFile(jsonFile, `${label} model description`);
  const manifest = json?.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length === 0) throw new Error(`${jsonFile}: no weightsManifest (not a tfjs layers model)`);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const group of manifest) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) throw new Error(`${jsonFile}: malformed weightsManifest group`);
    specs.push(...group.weights);
    for (const p of group.paths) {
      if (typeof p !== 'string' || p.includes('/') || p.includes('\\') || p.startsWith('.')) {
        throw new Error(`${jsonFile}: weights path ${JSON.stringify(p)} must be a plain file name inside ${dir}`);
      }
      const file = path.join(dir, p);
      try {
        parts.push(fs.readFileSync(file));
      } catch (err: any) {
        throw new Error(`${file}: cannot read ${label} weights (${err?.code ?? err})`);
      }
    }
  }
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const bytes = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    bytes.set(p, off);
    off += p.byteLength;
  }
  const want = model.weights;
  if (specs.length !== want.length) {
    throw new Error(
      `${jsonFile}: ${label} has ${specs.length} weight tensors, the architecture in the config expects ${want.length} (architecture mismatch)`,
    );
  }
  specs.forEach((s, i) => {
    const shape = want[i].shape;
    if (JSON.stringify(s.shape) !== JSON.stringify(shape)) {
      throw new Error(
        `${jsonFile}: ${label} weight ${i} ("${s.name}") has shape [${s.shape}], the architecture in the config expects [${shape}] (shape mismatch)`,
      );
    }
  });
  return decodeTensors(path.join(dir, 'weights.bin'), bytes, specs).map((n) => n.tensor);
}

/** Load a model dir's weights into `model` (see {@link readModelWeights} for the checks). */
export function loadModelWeights(dir: string, model: tf.LayersModel, label: string): void {
  const tensors = readModelWeights(dir, model, label);
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}
