/**
 * @cat/web: the page of `cat-cli serve` and `cat-cli export --web`, built with esbuild from the
 * browser entry of @cat/core (see page/ and README.md).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPage } from './build.js';

export { buildPage, PAGE_SOURCE_DIR, WASM_FILES, type BuildPageOptions, type BuiltPage } from './build.js';
export * from './site-format.js';

let fresh: Promise<string> | undefined;

/**
 * The folder of the built page. Installed (running from dist/) it is dist/page, written by the
 * package's build script. Run from the TypeScript sources (tsx, vitest) it is built now, once per
 * process, into a temporary folder removed at exit, so it always matches the sources.
 * @throws Error when dist/page is missing (the package was not built).
 */
export function pageDir(): Promise<string> {
  if (!import.meta.url.endsWith('.ts')) {
    const built = fileURLToPath(new URL('./page/', import.meta.url));
    if (!fs.existsSync(path.join(built, 'index.html'))) {
      return Promise.reject(new Error(`the page is not built (no ${built}index.html): run \`pnpm --filter @cat/web build\``));
    }
    return Promise.resolve(built);
  }
  fresh ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cat-web-page-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    await buildPage(dir, { minify: false });
    return dir;
  })();
  return fresh;
}
