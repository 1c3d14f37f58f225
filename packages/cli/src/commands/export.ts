/**
 * `cat-cli export RUN_DIR --out DIR`: a run's classifier f (and mask net g for CAT runs) as
 * models any tfjs app loads with plain `tf.loadLayersModel`, no cat code: cat's custom layers
 * rewritten as stock ones ({@link toStandardModel}), each checked to give the checkpoint's outputs,
 * with the run's config.json, metrics.jsonl and a README beside them. `--web` writes the page of
 * `cat-cli serve` instead (web-site.ts), which holds such an export of each run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_NAMES, commitDir, makeStagingDir, removeStaleTemps, saveModel, toStandardModel, writeFileSynced, type BackendName } from '@cat/core';
import { runPaths, type LoadedRun } from '@cat/trainer';
import { CliError } from '../errors.js';
import { choiceArg, numberArg } from '../options.js';
import { loadRunForCli, selectBackend } from './eval.js';
import { DEFAULT_SITE_IMAGES, writeWebSite } from './web-site.js';

/** Options of {@link exportRun}. */
export interface ExportOptions {
  /** The checkpoint to export (default best, else last). */
  checkpoint?: 'best' | 'last';
  /** Replace a non-empty `out`. */
  force?: boolean;
}

/** One exported model and how far its outputs are from the checkpoint's on the check images. */
export interface ExportedModel {
  name: 'f' | 'g';
  role: string;
  inputShape: number[];
  outputShape: number[];
  maxAbsDiff: number;
}

/** What {@link exportRun} wrote (also saved as `export.json` in the folder). */
export interface ExportResult {
  out: string;
  run: string;
  checkpoint: 'best' | 'last';
  epoch: number;
  models: ExportedModel[];
}

/** Outputs may differ from the checkpoint's by float rounding only: this much relative to their size. */
const TOLERANCE = 1e-4;
/** Images the outputs are compared on. */
const CHECK_IMAGES = 2;

/** Max |a - b| over the outputs of the checkpoint's model and the standard one on seeded images in [0,1]. */
function outputDifference(original: tf.LayersModel, standard: tf.LayersModel, name: string): { diff: number; scale: number } {
  return tf.tidy(() => {
    const shape = original.inputs[0].shape.slice(1) as number[];
    const x = tf.randomUniform([CHECK_IMAGES, ...shape], 0, 1, 'float32', 2024);
    const a = original.predict(x) as tf.Tensor;
    const b = standard.predict(x) as tf.Tensor;
    if (a.shape.join() !== b.shape.join()) throw new Error(`export: ${name} gives shape [${b.shape}] after conversion, [${a.shape}] before`);
    return { diff: tf.max(tf.abs(tf.sub(a, b))).dataSync()[0], scale: tf.max(tf.abs(a)).dataSync()[0] };
  });
}

/** The README of an export folder. */
function readme(run: LoadedRun, result: ExportResult): string {
  const c = run.config;
  const m = run.metrics.find((r) => r.epoch === result.epoch);
  const [h, w, ch] = result.models[0].inputShape.slice(1);
  const lines = [
    `# ${c.method} on ${c.dataset}: models for any tfjs app`,
    '',
    `Exported by \`cat-cli export\` from the ${result.checkpoint} checkpoint (epoch ${result.epoch} of ${c.epochs}) of the run`,
    `in \`${path.basename(path.resolve(result.run))}\`.` + (m ? ` At that epoch: natural accuracy ${(100 * m.naturalAcc).toFixed(1)}%, PGD-10 accuracy ${(100 * m.pgd10Acc).toFixed(1)}% (eps ${c.evalEps ?? c.eps}).` : ''),
    '',
    '| file | what |',
    '| --- | --- |',
    `| \`f/model.json\`, \`f/weights.bin\` | the classifier: images \`[N, ${h}, ${w}, ${ch}]\` (float32, NHWC, values in [0, 1]; the data set's normalisation is inside) to logits \`[N, ${result.models[0].outputShape[1]}]\` |`,
    ...(result.models.some((x) => x.name === 'g')
      ? [`| \`g/model.json\`, \`g/weights.bin\` | CAT's mask network: an image in [0, 1] to a mask in (0, 1) of the same shape |`]
      : []),
    '| `config.json`, `metrics.jsonl` | the run\'s settings and its metrics, one line per epoch |',
    '| `export.json` | where the models come from and how closely they match the checkpoint |',
    '',
    'The models use stock tfjs layers only (cat\'s padded convolutions are `ZeroPadding2D` + `Conv2D`,',
    'its normalisation a `BatchNormalization` holding the mean and variance, its nearest resize',
    '`UpSampling2D`), so no custom classes need registering. On the check images their outputs differ from the',
    `checkpoint's by at most ${result.models.map((x) => `${x.maxAbsDiff.toExponential(1)} (${x.name})`).join(', ')}.`,
    '',
    '```js',
    "import * as tf from '@tensorflow/tfjs';",
    "const f = await tf.loadLayersModel('https://your.host/this-folder/f/model.json');",
    `const logits = f.predict(images);   // images: tf.Tensor4D [N, ${h}, ${w}, ${ch}] in [0, 1]`,
    '```',
    '',
    'In Node without tfjs-node, read the files and pass',
    '`tf.io.fromMemory({ modelTopology, weightSpecs: weightsManifest[0].weights, weightData })`.',
    '',
  ];
  return lines.join('\n');
}

/** Refuses an `out` that would overwrite files, or the run itself. */
export function checkOut(runDir: string, out: string, force: boolean): void {
  const run = path.resolve(runDir);
  const dest = path.resolve(out);
  if (dest === run || run.startsWith(`${dest}${path.sep}`)) throw new CliError(`--out ${out}: would replace the run directory ${runDir}`);
  if (!fs.existsSync(dest)) return;
  if (!fs.statSync(dest).isDirectory()) throw new CliError(`--out ${out}: exists and is not a directory`);
  if (fs.readdirSync(dest).length > 0 && !force) throw new CliError(`--out ${out}: is not empty; pass --force to replace it`);
}

/** The `export` command's work. */
export async function exportRun(runDir: string, out: string, opts: ExportOptions = {}): Promise<ExportResult> {
  checkOut(runDir, out, opts.force ?? false);
  const run = await loadRunForCli(runDir, opts.checkpoint);
  const dest = path.resolve(out);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  removeStaleTemps(dest);
  const staging = makeStagingDir(dest);
  const result: ExportResult = { out, run: runDir, checkpoint: run.checkpoint, epoch: run.state.epoch, models: [] };
  try {
    const roles = { f: 'classifier', g: 'mask network' } as const;
    for (const [name, model] of [['f', run.f], ['g', run.g]] as const) {
      if (!model) continue;
      const standard = toStandardModel(model);
      try {
        const { diff, scale } = outputDifference(model, standard, name);
        if (!(diff <= TOLERANCE * Math.max(1, scale))) {
          throw new Error(`export: ${name} (${roles[name]}) gives outputs ${diff} away from the checkpoint's after conversion`);
        }
        await saveModel(standard, path.join(staging, name));
        result.models.push({
          name,
          role: roles[name],
          inputShape: model.inputs[0].shape.map((d) => d ?? -1),
          outputShape: model.outputs[0].shape.map((d) => d ?? -1),
          maxAbsDiff: diff,
        });
      } finally {
        standard.dispose();
      }
    }
    const paths = runPaths(runDir);
    writeFileSynced(path.join(staging, 'config.json'), fs.readFileSync(paths.config));
    if (fs.existsSync(paths.metrics)) writeFileSynced(path.join(staging, 'metrics.jsonl'), fs.readFileSync(paths.metrics));
    writeFileSynced(path.join(staging, 'export.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSynced(path.join(staging, 'README.md'), readme(run, result));
    commitDir(staging, dest);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  } finally {
    run.f.dispose();
    run.g?.dispose();
  }
  return result;
}

interface ExportFlags {
  out: string;
  checkpoint?: 'best' | 'last';
  force?: boolean;
  backend?: BackendName;
  web?: boolean;
  images?: number;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a run\'s f (and g) as models stock tfjs loads with tf.loadLayersModel, with its config, metrics and a README; --web: the page of cat-cli serve as a folder for any static host')
    .argument('<run-dirs...>', 'the run directory (several only with --web: shown side by side)')
    .requiredOption('--out <dir>', 'output folder (replaced whole, crash-safe)')
    .option('--web', 'write the page of `cat-cli serve` for the runs (the page, the exported models, test images, metrics, eval results)')
    .option('--images <n>', `--web: test images on the page (default ${DEFAULT_SITE_IMAGES})`, numberArg({ min: 1, integer: true }))
    .option('--checkpoint <which>', 'best or last (default best, else last)', choiceArg(['best', 'last']))
    .option('--force', 'replace a non-empty --out')
    .option('--backend <name>', 'tfjs backend of the output check (default: the best available)', choiceArg(BACKEND_NAMES))
    .action(async (dirs: string[], flags: ExportFlags) => {
      if (!flags.web && dirs.length > 1) throw new CliError(`export takes one run directory (got ${dirs.length}); several only with --web`);
      if (!flags.web && flags.images !== undefined) throw new CliError('--images goes with --web');
      await selectBackend(flags.backend);
      if (flags.web) {
        const site = await writeWebSite(dirs, flags.out, flags);
        process.stdout.write(`${flags.out}: the page for ${site.runs.map((r) => r.name).join(', ')}; serve the folder with any static server (or: cat-cli serve ${dirs.join(' ')})\n`);
        return;
      }
      const r = await exportRun(dirs[0], flags.out, flags);
      for (const m of r.models) {
        process.stdout.write(`${path.join(r.out, m.name, 'model.json')}: ${m.role}, outputs within ${m.maxAbsDiff.toExponential(1)} of the checkpoint\n`);
      }
      process.stdout.write(`${r.out}: exported the ${r.checkpoint} checkpoint (epoch ${r.epoch}) with config.json, metrics.jsonl and README.md\n`);
    });
}
