/**
 * `@cat/core/browser` bundles for a browser: esbuild (platform browser) builds it, and neither it
 * nor the page built from it imports a Node module (`node:*` or a bare builtin such as 'fs'),
 * pulls in a Node-only part of @cat/core, or carries a second copy of tfjs.
 */
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPage } from '../src/build.js';

const WEB_DIR = fileURLToPath(new URL('..', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cat-web-bundle-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every module specifier the bundle still imports or requires at run time. */
function runtimeImports(code: string): string[] {
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)["'`]([^"'`]+)["'`]/g;
  return [...new Set([...code.matchAll(re)].map((m) => m[1]))];
}

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** What the bundle has that only Node has. */
function nodeImports(code: string): string[] {
  const found = runtimeImports(code).filter((s) => s.startsWith('node:') || NODE_BUILTINS.has(s) || NODE_BUILTINS.has(s.split('/')[0]));
  if (/["'`]node:[a-z_/]+["'`]/.test(code)) found.push(...(code.match(/["'`]node:[a-z_/]+["'`]/g) ?? []));
  return found;
}

/**
 * The source of tfjs-backend-wasm's thread worker is a string inside its bundle that requires
 * these under Node only (`if (ENVIRONMENT_IS_NODE)`); the bundles carry it as text, not as imports.
 */
const WASM_WORKER_TEXT = new Set(['fs', 'worker_threads']);

describe('the browser entry of @cat/core', () => {
  it('bundles with esbuild for the browser, with no Node import and one tfjs', async () => {
    const r = await esbuild.build({
      stdin: { contents: "export * from '@cat/core/browser';", resolveDir: WEB_DIR, sourcefile: 'entry.ts', loader: 'ts' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      conditions: ['source'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(r.errors).toEqual([]);
    const code = r.outputFiles[0].text;
    expect(code.length).toBeGreaterThan(100_000);
    // esbuild resolved every import: nothing is left for Node (or anyone) to provide.
    expect(Object.values(r.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path))).toEqual([]);
    expect(nodeImports(code).filter((s) => !WASM_WORKER_TEXT.has(s))).toEqual([]);
    expect(code).not.toMatch(/["'`]node:/);

    const inputs = Object.keys(r.metafile.inputs).map((p) => p.split(path.sep).join('/'));
    // The attacks, methods, models and losses are in; files, backends, dataset files and MPI are not.
    const core = inputs.filter((p) => p.includes('packages/core/src/'));
    for (const part of ['attacks/pgd.ts', 'attacks/fgsm.ts', 'methods/cat.ts', 'models/mnist-cnn.ts', 'losses/cross-entropy.ts', 'eval/evaluate.ts', 'ops/calibrate.ts']) {
      expect(core.some((p) => p.endsWith(`packages/core/src/${part}`)), part).toBe(true);
    }
    // (backend/wasm.ts is in: it only bridges one kernel of tfjs's wasm backend.)
    expect(core.filter((p) => /packages\/core\/src\/(io|backend|distributed)\//.test(p) && !p.endsWith('backend/wasm.ts'))).toEqual([]);
    expect(core.filter((p) => /packages\/core\/src\/data\/(gzip|idx|cifar|tar|files|digits|cache|download|fetch|load)\.ts$/.test(p))).toEqual([]);
    // One copy of tfjs-core, whoever imports it (core, layers, the backends).
    const tfCore = new Set(inputs.filter((p) => p.includes('@tensorflow/tfjs-core/')).map((p) => p.slice(0, p.indexOf('@tensorflow/tfjs-core/'))));
    expect(tfCore.size).toBe(1);
    // The exports a page needs are there.
    for (const name of ['PGD', 'FGSM', 'calibrate', 'buildClassifier', 'datasetInfo']) expect(r.metafile.outputs['<stdout>']?.exports ?? Object.values(r.metafile.outputs)[0].exports).toContain(name);
  });

  it('the page bundle built from it imports nothing at run time and ships the wasm binaries', async () => {
    const built = await buildPage(tmp);
    for (const f of built.files) expect(fs.statSync(path.join(tmp, f)).size).toBeGreaterThan(0);
    // esbuild resolved every import: nothing left for the browser to fetch or for Node to provide.
    expect(built.runtimeImports).toEqual([]);
    const code = fs.readFileSync(path.join(tmp, 'page.js'), 'utf8');
    expect(code).not.toMatch(/["'`]node:/);
    expect(nodeImports(code).filter((s) => !WASM_WORKER_TEXT.has(s))).toEqual([]);
    // No address of another host in what the page loads.
    const html = fs.readFileSync(path.join(tmp, 'index.html'), 'utf8') + fs.readFileSync(path.join(tmp, 'style.css'), 'utf8');
    expect(html).not.toMatch(/(?:src|href)=["'](?:https?:)?\/\//);
    expect(html).not.toMatch(/url\(\s*["']?(?:https?:)?\/\//);
  });
});
