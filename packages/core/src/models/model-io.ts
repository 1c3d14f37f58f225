/**
 * Saving and loading models in tfjs's own layers format (`model.json` + `weights.bin`, the
 * files `tfjs-node`'s `file://` handler writes) with plain `node:fs`, since tfjs-node does not
 * install here.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
// Side-effect imports: a saved model names these custom layers, so they must be registered.
import './normalize-layer.js';
import './padded-conv2d-layer.js';
import './resize-nearest-layer.js';

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

/** Writes a temp file beside `target`, fsyncs it, then renames it over `target`. */
async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const fh = await fs.open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** Makes the renames durable (a directory's entries are only on disk once it is fsynced). */
async function syncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Saves `model` as `dir/model.json` + `dir/weights.bin` (creating `dir`). Each file is written
 * to a temp file, fsynced and renamed into place, weights first, so a crash leaves either the
 * previous files or complete new ones; a crash between the two renames leaves a pair that
 * {@link loadModel} rejects by the checksum stamp rather than loading mixed weights.
 */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  if (typeof dir !== 'string' || dir === '') throw new Error(`saveModel: dir must be a non-empty path, got ${JSON.stringify(dir)}`);
  await fs.mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights =
        artifacts.weightData == null
          ? new Uint8Array(0)
          : new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
      const stamp: WeightsStamp = {
        bytes: weights.byteLength,
        sha256: createHash('sha256').update(weights).digest('hex'),
      };
      const modelJSON = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
        catWeights: stamp,
      };
      const text = JSON.stringify(modelJSON);
      await writeFileAtomic(path.join(dir, WEIGHTS_BIN), weights);
      await writeFileAtomic(path.join(dir, MODEL_JSON), text);
      await syncDir(dir);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weights.byteLength,
        },
      };
    }),
  );
}

/** Bytes one weight occupies in the weights file, from its spec (quantised or not). */
function specBytes(spec: tf.io.WeightsManifestEntry, modelPath: string): number {
  if (!Array.isArray(spec?.shape) || typeof spec?.name !== 'string') {
    throw new Error(`loadModel: ${modelPath} has a malformed weight entry ${JSON.stringify(spec)}`);
  }
  const size = spec.shape.reduce((a, d) => a * d, 1);
  const dtype: string = spec.quantization?.dtype ?? spec.dtype;
  const perValue: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };
  const bytes = perValue[dtype];
  if (bytes === undefined) throw new Error(`loadModel: ${modelPath}: weight ${spec.name} has unsupported dtype ${dtype}`);
  return size * bytes;
}

async function readOrExplain(file: string, what: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`loadModel: ${file} does not exist (${what})`);
    throw new Error(`loadModel: cannot read ${file}: ${errMessage(e)}`);
  }
}

/**
 * Loads a model written by {@link saveModel} (or any tfjs layers model directory with
 * `model.json` and its weight files). Throws an Error naming the file when model.json is
 * missing or not JSON, when the weights file is missing, truncated, longer than described or
 * fails the checksum, and when the weights do not fit the topology (names or shapes).
 */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  if (typeof dir !== 'string' || dir === '') throw new Error(`loadModel: dir must be a non-empty path, got ${JSON.stringify(dir)}`);
  const modelPath = path.join(dir, MODEL_JSON);
  const text = (await readOrExplain(modelPath, 'expected a model directory written by saveModel: model.json + weights.bin')).toString('utf8');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`loadModel: ${modelPath} is not valid JSON: ${errMessage(e)}`);
  }
  if (json == null || typeof json !== 'object' || typeof json.modelTopology !== 'object' || json.modelTopology == null) {
    throw new Error(`loadModel: ${modelPath} has no modelTopology object (not a tfjs layers model.json)`);
  }
  const manifest = json.weightsManifest as tf.io.WeightsManifestConfig | undefined;
  if (!Array.isArray(manifest) || !manifest.every((g) => Array.isArray(g?.paths) && Array.isArray(g?.weights))) {
    throw new Error(`loadModel: ${modelPath} has no valid weightsManifest (expected [{paths: [...], weights: [...]}])`);
  }
  const specs = manifest.flatMap((g) => g.weights);
  const files = manifest.flatMap((g) => g.paths.map((p) => path.join(dir, p)));
  const parts = await Promise.all(files.map((f) => readOrExplain(f, `listed in ${modelPath}`)));
  const actual = parts.reduce((a, p) => a + p.byteLength, 0);
  const expected = specs.reduce((a, s) => a + specBytes(s, modelPath), 0);
  const fileNames = files.join(' + ') || '(no weight files)';
  if (actual !== expected) {
    const why = actual < expected ? 'truncated' : 'longer than described';
    throw new Error(
      `loadModel: ${fileNames} has ${actual} bytes but ${modelPath} describes ${specs.length} weights of ${expected} bytes (${why}: the weights do not match the model)`,
    );
  }
  const data = new Uint8Array(actual);
  let offset = 0;
  for (const p of parts) {
    data.set(p, offset);
    offset += p.byteLength;
  }
  const stamp = json.catWeights as WeightsStamp | undefined;
  if (stamp?.sha256 !== undefined) {
    const sha = createHash('sha256').update(data).digest('hex');
    if (sha !== stamp.sha256) {
      throw new Error(`loadModel: ${fileNames} does not match the checksum in ${modelPath} (corrupt, or from another save)`);
    }
  }
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology as object,
        weightSpecs: specs,
        weightData: data.buffer,
        ...(json.trainingConfig ? { trainingConfig: json.trainingConfig as tf.io.TrainingConfig } : {}),
      }),
    );
  } catch (e) {
    throw new Error(`loadModel: the weights in ${fileNames} do not fit the model in ${modelPath}: ${errMessage(e)}`);
  }
}
