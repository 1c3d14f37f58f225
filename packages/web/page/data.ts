/** Loading what the CLI wrote next to the page: site.json, images.json and each run's files. */
import * as tf from '@tensorflow/tfjs';
import { SITE_FILES, SITE_FORMAT, type EvalSummary, type SiteImages, type SiteManifest, type SiteRun } from '../src/site-format.js';

export interface EpochRow {
  epoch: number;
  naturalAcc?: number;
  pgd10Acc?: number;
  losses?: Record<string, number>;
  lr?: number;
}

export interface LoadedRun {
  info: SiteRun;
  f: tf.LayersModel;
  g: tf.LayersModel | null;
  metrics: EpochRow[];
  evaluation: EvalSummary | null;
}

async function fetchOk(url: string): Promise<Response> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${r.statusText}`);
  return r;
}

export async function loadManifest(): Promise<SiteManifest> {
  const m = (await (await fetchOk(SITE_FILES.manifest)).json()) as SiteManifest;
  if (m.format !== SITE_FORMAT) throw new Error(`${SITE_FILES.manifest}: not a cat page manifest`);
  return m;
}

/** The test images as float32 in [0,1], NHWC. */
export async function loadImages(): Promise<{ meta: SiteImages; values: Float32Array }> {
  const meta = (await (await fetchOk(SITE_FILES.images)).json()) as SiteImages;
  const bytes = Uint8Array.from(atob(meta.pixels), (c) => c.charCodeAt(0));
  const values = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) values[i] = bytes[i] / 255;
  return { meta, values };
}

/** metrics.jsonl: the epoch lines (other kinds of line are skipped). */
export function parseMetrics(text: string): EpochRow[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as EpochRow & { type?: string })
    .filter((r) => (r.type === undefined || r.type === 'epoch') && typeof r.epoch === 'number');
}

/** The absolute address of a file of the page's folder (tfjs's http loader wants one). */
const here = (file: string) => new URL(file, document.baseURI).href;

export async function loadRun(info: SiteRun): Promise<LoadedRun> {
  const f = await tf.loadLayersModel(tf.io.http(here(`${info.dir}f/model.json`)));
  const g = info.hasMask ? await tf.loadLayersModel(tf.io.http(here(`${info.dir}g/model.json`))) : null;
  const metricsResponse = await fetch(`${info.dir}metrics.jsonl`);
  const metrics = metricsResponse.ok ? parseMetrics(await metricsResponse.text()) : [];
  const evaluation = info.hasEval ? ((await (await fetchOk(`${info.dir}${SITE_FILES.evaluation}`)).json()) as EvalSummary) : null;
  return { info, f, g, metrics, evaluation };
}
