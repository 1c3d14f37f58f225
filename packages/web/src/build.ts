/**
 * Builds the page (page/ in this package) with esbuild: one ES module bundle of page/main.ts and
 * what it imports (@cat/core/browser and tfjs, resolved through the `source` export condition so
 * the bundle is made from the same TypeScript the CLI runs), plus index.html, style.css and tfjs's
 * wasm binaries (the wasm backend, where webgl is missing). Nothing in the output refers to
 * another host.
 *
 * Run as a script (`node dist/build.js OUT_DIR`, the package's build script) it writes OUT_DIR.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The page's sources (page/ beside src/ and dist/). */
export const PAGE_SOURCE_DIR = fileURLToPath(new URL('../page/', import.meta.url));
/** Static files copied as they are. */
const STATIC_FILES = ['index.html', 'style.css'];
/** tfjs-backend-wasm's binaries (the page picks one by the browser's features). */
export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** Options of {@link buildPage}. */
export interface BuildPageOptions {
  /** Minify the bundle (default true). */
  minify?: boolean;
}

/** The folder of tfjs-backend-wasm's binaries, as the page's package resolves it. */
function wasmDir(): string {
  const require = createRequire(path.join(PAGE_SOURCE_DIR, 'main.ts'));
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
}

/** What {@link buildPage} wrote. */
export interface BuiltPage {
  /** Files written, relative to the output folder. */
  files: string[];
  /** Modules page.js still imports at run time (esbuild's metafile): none, the bundle is whole. */
  runtimeImports: string[];
}

/** Writes the built page into `outDir` (created; files of the same names replaced). */
export async function buildPage(outDir: string, opts: BuildPageOptions = {}): Promise<BuiltPage> {
  // esbuild is a build-time tool: loaded only when a page is built.
  const esbuild = await import('esbuild');
  fs.mkdirSync(outDir, { recursive: true });
  const result = await esbuild.build({
    entryPoints: [path.join(PAGE_SOURCE_DIR, 'main.ts')],
    outfile: path.join(outDir, 'page.js'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    conditions: ['source'],
    minify: opts.minify ?? true,
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
  });
  for (const f of STATIC_FILES) fs.copyFileSync(path.join(PAGE_SOURCE_DIR, f), path.join(outDir, f));
  const wasm = wasmDir();
  for (const f of WASM_FILES) fs.copyFileSync(path.join(wasm, f), path.join(outDir, f));
  const runtimeImports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  return { files: ['page.js', ...STATIC_FILES, ...WASM_FILES], runtimeImports };
}

const isEntry = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isEntry) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: node dist/build.js OUT_DIR\n');
    process.exit(2);
  }
  const { files } = await buildPage(path.resolve(out));
  process.stdout.write(`${out}: ${files.join(', ')}\n`);
}
