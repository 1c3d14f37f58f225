/**
 * The page folder of `cat-cli serve` and `cat-cli export --web`: the built page (@cat/web), each
 * run exported as `cat-cli export` writes it (f, g, config, metrics), its `cat-cli eval`
 * accuracies, and the first test images of the runs' data set. Any static host serves it.
 * See @cat/web's site-format.ts for the layout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commitDir, datasetInfo, makeStagingDir, readJsonFile, removeStaleTemps, writeFileSynced } from '@cat/core';
import { pageDir, SITE_FILES, SITE_FORMAT, type EvalSummary, type SiteImages, type SiteManifest, type SiteRun } from '@cat/web';
import { CliError } from '../errors.js';
import { readEvalJson, testSetCache, type EvalJson } from './eval.js';
import { checkOut, exportRun, type ExportResult } from './export.js';

/** Options of {@link writeWebSite}. */
export interface WebSiteOptions {
  /** Test images shown (default 24). */
  images?: number;
  /** The checkpoint of each run (default best, else last). */
  checkpoint?: 'best' | 'last';
  /** Replace a non-empty `out`. */
  force?: boolean;
}

export const DEFAULT_SITE_IMAGES = 24;

/** The run's entry of the eval.json `cat-cli eval` left in its directory, if any. */
function evalSummary(runDir: string): EvalSummary | null {
  const file = path.join(runDir, 'eval.json');
  if (!fs.existsSync(file)) return null;
  const { runs } = readEvalJson(file);
  const here = path.resolve(runDir);
  const entry: EvalJson | undefined = runs.length === 1 ? runs[0] : runs.find((r) => path.resolve(r.run) === here);
  if (!entry) return null;
  return { eps: entry.eps, norm: entry.norm ?? 'Linf', n: entry.n, attacks: entry.attacks.map((a) => ({ name: a.name, accuracy: a.accuracy })), evaluatedAt: entry.evaluatedAt };
}

/** The first `count` test images as images.json holds them (bytes: the data sets are 8-bit). */
function siteImages(dataset: string, set: { images: Float32Array; labels: Int32Array; count: number; height: number; width: number; channels: number }, count: number): SiteImages {
  const n = Math.min(count, set.count);
  const size = set.height * set.width * set.channels;
  const bytes = new Uint8Array(n * size);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(Math.min(1, Math.max(0, set.images[i])) * 255);
  return {
    dataset,
    count: n,
    shape: [set.height, set.width, set.channels],
    labels: Array.from(set.labels.subarray(0, n)),
    pixels: Buffer.from(bytes).toString('base64'),
  };
}

/** Writes the page folder for `runDirs` into `out` (whole, crash-safe). Returns its manifest. */
export async function writeWebSite(runDirs: string[], out: string, opts: WebSiteOptions = {}): Promise<SiteManifest> {
  if (runDirs.length === 0) throw new CliError('no run directory given');
  const count = opts.images ?? DEFAULT_SITE_IMAGES;
  if (!Number.isInteger(count) || count < 1) throw new CliError(`--images ${count}: expected a whole number >= 1`);
  for (const dir of runDirs) {
    if (!fs.existsSync(dir)) throw new CliError(`${dir}: run directory does not exist`);
    if (!fs.existsSync(path.join(dir, 'config.json'))) throw new CliError(`${dir}: not a run directory (no config.json)`);
    checkOut(dir, out, opts.force ?? false);
  }
  const page = await pageDir();
  const dest = path.resolve(out);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  removeStaleTemps(dest);
  const staging = makeStagingDir(dest);
  try {
    for (const f of fs.readdirSync(page)) fs.copyFileSync(path.join(page, f), path.join(staging, f));
    const runs: SiteRun[] = [];
    let inputShape: [number, number, number] | null = null;
    let first: { dataset: string; dataDir?: string | null } | null = null;
    for (const [i, dir] of runDirs.entries()) {
      const rel = `runs/${i}/`;
      const exported: ExportResult = await exportRun(dir, path.join(staging, rel), { checkpoint: opts.checkpoint });
      const config = readJsonFile(path.join(staging, rel, 'config.json'), `${dir}/config.json`);
      const shape = exported.models[0].inputShape.slice(1) as [number, number, number];
      if (inputShape && shape.join() !== inputShape.join()) {
        throw new CliError(`${dir}: takes images of shape [${shape}], ${runDirs[0]} [${inputShape}]: the runs of one page share an input shape`);
      }
      inputShape = shape;
      first ??= { dataset: config.dataset, dataDir: config.dataDir };
      const summary = evalSummary(dir);
      if (summary) writeFileSynced(path.join(staging, rel, SITE_FILES.evaluation), `${JSON.stringify(summary)}\n`);
      runs.push({
        name: path.basename(path.resolve(dir)),
        method: config.method,
        dataset: config.dataset,
        eps: config.eps,
        checkpoint: exported.checkpoint,
        epoch: exported.epoch,
        epochs: config.epochs,
        dir: rel,
        hasMask: exported.models.some((m) => m.name === 'g'),
        hasEval: summary !== null,
      });
    }
    const test = await (await testSetCache())(first!.dataset, first!.dataDir);
    writeFileSynced(path.join(staging, SITE_FILES.images), JSON.stringify(siteImages(first!.dataset, test, count)));
    const manifest: SiteManifest = { format: SITE_FORMAT, version: 1, inputShape: inputShape!, classNames: datasetInfo(first!.dataset as never).classNames, runs };
    writeFileSynced(path.join(staging, SITE_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
    commitDir(staging, dest);
    return manifest;
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}
