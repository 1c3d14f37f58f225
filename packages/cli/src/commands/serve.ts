/**
 * `cat-cli serve RUN_DIR... [--port N] [--host ADDR]`: writes the runs' page folder (as
 * `cat-cli export --web` does) into a temporary folder and serves it over HTTP on the loopback
 * interface (by default), until interrupted. The server serves files of that folder only.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { BACKEND_NAMES, type BackendName } from '@cat/core';
import { CliError } from '../errors.js';
import { choiceArg, numberArg } from '../options.js';
import { selectBackend } from './eval.js';
import { DEFAULT_SITE_IMAGES, writeWebSite, type WebSiteOptions } from './web-site.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** The same policy as the page's meta tag: nothing from another origin. */
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:";

/** A running server. */
export interface StaticServer {
  /** e.g. http://127.0.0.1:8080/ */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The file under `root` that `urlPath` names, or why none: 400 for an undecodable path or one
 * with a NUL byte, 403 for one that leaves `root` (`..`, an encoded slash or a link out of it),
 * 404 when there is no such file. A folder means its index.html.
 */
export function resolveRequestPath(root: string, urlPath: string): { file: string } | { status: 400 | 403 | 404 } {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { status: 400 };
  }
  if (decoded.includes('\0')) return { status: 400 };
  if (decoded.split(/[\\/]/).includes('..')) return { status: 403 };
  const base = fs.realpathSync(root);
  let file = path.resolve(base, `.${path.posix.normalize(`/${decoded}`)}`);
  if (file !== base && !file.startsWith(base + path.sep)) return { status: 403 };
  if (!fs.existsSync(file)) return { status: 404 };
  const real = fs.realpathSync(file);
  if (real !== base && !real.startsWith(base + path.sep)) return { status: 403 };
  if (fs.statSync(real).isDirectory()) file = path.join(real, 'index.html');
  else file = real;
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return { status: 404 };
  return { file };
}

/** Serves the files of `root` (GET and HEAD only) at `host:port` (port 0: any free one). */
export function startStaticServer(root: string, opts: { host?: string; port?: number } = {}): Promise<StaticServer> {
  const host = opts.host ?? '127.0.0.1';
  const server = http.createServer((req, res) => {
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : `${status} ${body}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(405, 'method not allowed');
    }
    const urlPath = (req.url ?? '/').split('?')[0].split('#')[0];
    const found = resolveRequestPath(root, urlPath);
    if ('status' in found) return send(found.status, http.STATUS_CODES[found.status] ?? '');
    const size = fs.statSync(found.file).size;
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[path.extname(found.file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': size,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': CSP,
    });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(found.file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new CliError(`--port ${opts.port}: already in use on ${host}; pick another (or 0 for any free port)`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') reject(new CliError(`--host ${host}: not an address of this machine`));
      else reject(err);
    });
    server.listen(opts.port ?? 0, host, () => {
      const port = (server.address() as { port: number }).port;
      const shown = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shown}:${port}/`,
        port,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

/** Options of {@link serveRuns}. */
export interface ServeOptions extends Omit<WebSiteOptions, 'force'> {
  host?: string;
  port?: number;
}

/** A page folder for `runDirs` in a temporary folder, served; `close` stops and deletes it. */
export async function serveRuns(runDirs: string[], opts: ServeOptions = {}): Promise<StaticServer & { root: string }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cat-serve-'));
  const root = path.join(tmp, 'site');
  try {
    await writeWebSite(runDirs, root, opts);
    const server = await startStaticServer(root, opts);
    return {
      ...server,
      root,
      close: async () => {
        await server.close();
        fs.rmSync(tmp, { recursive: true, force: true });
      },
    };
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Whether `host` is a loopback address (only this machine reaches it). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

interface ServeFlags {
  port: number;
  host: string;
  images?: number;
  checkpoint?: 'best' | 'last';
  backend?: BackendName;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve a page that attacks the runs\' models in the browser (FGSM/PGD, CAT\'s mask and calibration, curves, eval table), runs side by side')
    .argument('<run-dirs...>', 'run directories (several are shown side by side; they must take images of one shape)')
    .option('--port <n>', 'port (0: any free one)', numberArg({ min: 0, max: 65535, integer: true }), 8080)
    .option('--host <addr>', 'address to listen on (default loopback only)', '127.0.0.1')
    .option('--images <n>', `test images on the page (default ${DEFAULT_SITE_IMAGES})`, numberArg({ min: 1, integer: true }))
    .option('--checkpoint <which>', 'best or last (default best, else last)', choiceArg(['best', 'last']))
    .option('--backend <name>', 'tfjs backend of the export check (default: the best available)', choiceArg(BACKEND_NAMES))
    .action(async (dirs: string[], flags: ServeFlags) => {
      await selectBackend(flags.backend);
      const server = await serveRuns(dirs, flags);
      if (!isLoopback(flags.host)) process.stderr.write(`cat-cli: warning: --host ${flags.host} is not loopback: other machines can reach the page\n`);
      process.stdout.write(`serving ${dirs.length} run${dirs.length > 1 ? 's' : ''} at ${server.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
