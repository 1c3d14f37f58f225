/**
 * `cat-cli export` gives models that stock tfjs loads: this file imports no cat code, only
 * @tensorflow/tfjs (plus Node and vitest). The cat side runs in child processes:
 * export/cat-side.ts makes an MNIST run (mnist-cnn + mnist-mask) and a CIFAR-shaped one
 * (preact-resnet18 + resnet18-mask, with normalisation), records their checkpoints' outputs on
 * fixed images and exports them; export/with-layers.ts loads a raw checkpoint in a tfjs app whose
 * only cat import is `@cat/core/layers`.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const script = (name: string) => fileURLToPath(new URL(`./export/${name}`, import.meta.url));
/** Run a TypeScript script of this folder from source, as `pnpm cat-cli:dev` runs the CLI. */
const runScript = (name: string, args: string[]) =>
  run(process.execPath, ['--conditions=source', '--import', 'tsx', script(name), ...args], { cwd: REPO_ROOT, maxBuffer: 1 << 26 });

interface ModelReference {
  inputShape: number[];
  classes: string[];
  output: number[];
  outputShape: number[];
}
interface RunReference {
  run: string;
  export: string;
  checkpoint: string;
  f: ModelReference;
  g: ModelReference;
}

let work: string;
let reference: Record<'mnist' | 'cifar', RunReference>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cat-export-'));
  await runScript('cat-side.ts', [work]);
  reference = JSON.parse(fs.readFileSync(path.join(work, 'reference.json'), 'utf8'));
}, 600_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A tfjs IOHandler over a model folder on disk: model.json and the weight files it lists. */
function fromFiles(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
      const groups = json.weightsManifest as tf.io.WeightsManifestConfig;
      const bytes = Buffer.concat(groups.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p)))));
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs: groups.flatMap((g) => g.weights),
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      };
    },
  };
}

/** The fixed images cat-side.ts used, by the same formula. */
const checkImages = (shape: number[]) =>
  tf.tensor(Float32Array.from({ length: shape.reduce((a, d) => a * d, 1) }, (_, i) => ((i * 7919) % 1000) / 999), shape);

/** Outputs equal up to float rounding: max |a - b| within 1e-4 of the outputs' size. */
function expectClose(got: ArrayLike<number>, want: number[]): void {
  expect(got.length).toBe(want.length);
  const scale = Math.max(1, ...want.map(Math.abs));
  const diff = Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i])));
  expect(diff).toBeLessThanOrEqual(1e-4 * scale);
}

describe('cat-cli export: models stock tfjs loads', () => {
  it('stock tfjs cannot load a raw checkpoint (cat layer classes)', async () => {
    const ref = reference.mnist;
    expect(ref.f.classes).toEqual(expect.arrayContaining(['CatNormalize', 'CatPaddedConv2D']));
    expect(ref.g.classes).toEqual(expect.arrayContaining(['CatPaddedConv2D', 'CatResizeNearest']));
    await expect(tf.loadLayersModel(fromFiles(path.join(ref.checkpoint, 'f')))).rejects.toThrow(/Unknown layer: Cat/);
  });

  it.each(['mnist', 'cifar'] as const)('the %s export loads with plain tf.loadLayersModel and gives the checkpoint outputs', async (name) => {
    const ref = reference[name];
    for (const file of ['config.json', 'metrics.jsonl', 'README.md', 'export.json', 'f/model.json', 'f/weights.bin', 'g/model.json', 'g/weights.bin']) {
      expect(fs.existsSync(path.join(ref.export, file)), file).toBe(true);
    }
    expect(fs.readFileSync(path.join(ref.export, 'config.json'), 'utf8')).toBe(fs.readFileSync(path.join(ref.run, 'config.json'), 'utf8'));
    for (const role of ['f', 'g'] as const) {
      const model = await tf.loadLayersModel(fromFiles(path.join(ref.export, role)));
      const classes = model.layers.map((l) => l.getClassName());
      expect(classes.filter((c) => c.startsWith('Cat'))).toEqual([]);
      expect(classes).toContain('ZeroPadding2D');
      if (role === 'g') expect(classes).toContain('UpSampling2D');
      const y = tf.tidy(() => model.predict(checkImages(ref[role].inputShape)) as tf.Tensor);
      expect(y.shape).toEqual(ref[role].outputShape);
      expectClose(y.dataSync(), ref[role].output);
      tf.dispose([y, model] as never);
    }
  }, 300_000);

  it('the CIFAR classifier keeps its normalisation (as a BatchNormalization layer)', async () => {
    const model = await tf.loadLayersModel(fromFiles(path.join(reference.cifar.export, 'f')));
    expect(model.getLayer('normalize').getClassName()).toBe('BatchNormalization');
    model.dispose();
  });

  it("after `import '@cat/core/layers'` (and no other cat code) stock tfjs loads a raw checkpoint", async () => {
    const ref = reference.mnist;
    const { stdout } = await runScript('with-layers.ts', [ref.checkpoint]);
    const got = JSON.parse(stdout) as Record<'f' | 'g', number[]>;
    expectClose(got.f, ref.f.output);
    expectClose(got.g, ref.g.output);
  });
});
