/**
 * The files of a page folder (what `cat-cli serve` serves and `cat-cli export --web` writes), as
 * the CLI writes them and the page reads them. No Node imports: the page bundles this file.
 *
 * ```
 * index.html, page.js, style.css, *.wasm   the built page
 * site.json                                 SiteManifest: the runs and the test images
 * images.json                               SiteImages: the first test images of the runs' data set
 * runs/<i>/                                 `cat-cli export` of run i (f/, g/, config.json, metrics.jsonl, ...)
 * runs/<i>/evaluation.json                  the run's `cat-cli eval` accuracies (EvalSummary), when it has them
 * ```
 */

/** The manifest's format tag. */
export const SITE_FORMAT = 'cat-web-site';
/** File names inside a page folder. */
export const SITE_FILES = { manifest: 'site.json', images: 'images.json', evaluation: 'evaluation.json' } as const;

/** One run of the page. */
export interface SiteRun {
  /** The run directory's name. */
  name: string;
  method: string;
  dataset: string;
  /** Training eps of the run. */
  eps: number;
  checkpoint: 'best' | 'last';
  epoch: number;
  epochs: number;
  /** Folder of the run's files, relative to the page (ends with '/'). */
  dir: string;
  /** Whether g (CAT's mask network) was exported. */
  hasMask: boolean;
  /** Whether `dir` holds evaluation.json. */
  hasEval: boolean;
}

/** site.json. */
export interface SiteManifest {
  format: typeof SITE_FORMAT;
  version: 1;
  /** Image shape [H, W, C] every run takes. */
  inputShape: [number, number, number];
  classNames: string[];
  runs: SiteRun[];
}

/** images.json: `count` images of `dataset`'s test split, bytes 0..255 (value / 255 is the pixel), NHWC. */
export interface SiteImages {
  dataset: string;
  count: number;
  shape: [number, number, number];
  labels: number[];
  /** base64 of count * H * W * C bytes. */
  pixels: string;
}

/** runs/<i>/evaluation.json: the accuracies `cat-cli eval` found for the run. */
export interface EvalSummary {
  eps: number;
  /** 'Linf' or 'L2'. */
  norm: string;
  /** Test images evaluated. */
  n: number;
  attacks: Array<{ name: string; accuracy: number }>;
  evaluatedAt: string;
}
