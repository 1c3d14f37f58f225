/**
 * `cat-cli serve`'s static server and argument checks, without a browser: it serves the files
 * of its folder and nothing else (no `..`, no encoded slash or NUL, no link out of the folder),
 * GET and HEAD only; a missing or invalid run directory is one clear error.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopback, resolveRequestPath, startStaticServer, type StaticServer } from '../src/commands/serve.js';
import { writeWebSite } from '../src/commands/web-site.js';
import { runCli } from '../../../test/reliability/cli-process.js';

let tmp: string;
let site: string;
let server: StaticServer;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cat-serve-'));
  site = path.join(tmp, 'site');
  fs.mkdirSync(path.join(site, 'runs', '0'), { recursive: true });
  fs.writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>page</title>');
  fs.writeFileSync(path.join(site, 'runs', '0', 'config.json'), '{"a":1}');
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'outside');
  fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(site, 'link.txt'));
  server = await startStaticServer(site, { port: 0 });
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A raw request (no URL normalisation by the client). */
function get(rawPath: string, method = 'GET'): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: rawPath, method }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('cat-cli serve: the static server', () => {
  it('listens on loopback and serves the folder', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.type).toMatch(/^text\/html/);
    expect(index.body).toContain('<title>page</title>');
    const json = await get('/runs/0/config.json?x=1');
    expect([json.status, json.body, json.type]).toEqual([200, '{"a":1}', 'application/json; charset=utf-8']);
    expect((await get('/runs/0/')).status).toBe(404); // a folder without index.html
    expect((await get('/nope.js')).status).toBe(404);
  });

  it('refuses paths out of the folder, and methods other than GET and HEAD', async () => {
    for (const p of ['/../secret.txt', '/runs/../../secret.txt', '/%2e%2e/secret.txt', '/runs/%2e%2e%2f%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/link.txt']) {
      const r = await get(p);
      expect(r.status, p).toBe(403);
      expect(r.body).not.toContain('outside');
    }
    expect((await get('/a%00b')).status).toBe(400);
    expect((await get('/%E0%A4%A')).status).toBe(400);
    expect((await get('/', 'POST')).status).toBe(405);
    const head = await get('/index.html', 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
  });

  it('resolves request paths inside the root only', () => {
    expect(resolveRequestPath(site, '/runs/0/config.json')).toEqual({ file: path.join(fs.realpathSync(site), 'runs', '0', 'config.json') });
    expect(resolveRequestPath(site, '/')).toEqual({ file: path.join(fs.realpathSync(site), 'index.html') });
    expect(resolveRequestPath(site, '/../secret.txt')).toEqual({ status: 403 });
    expect(resolveRequestPath(site, '/link.txt')).toEqual({ status: 403 });
  });

  it('tells loopback addresses from others', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '192.168.1.2', '::'].map(isLoopback)).toEqual([false, false, false]);
  });

  it('a port in use is a clear error', async () => {
    await expect(startStaticServer(site, { port: server.port })).rejects.toThrow(`--port ${server.port}: already in use on 127.0.0.1`);
  });
});

describe('cat-cli serve / export --web: run directories', () => {
  it('a missing or invalid run directory is one clear error', async () => {
    await expect(writeWebSite([path.join(tmp, 'missing')], path.join(tmp, 'out'))).rejects.toThrow(/missing: run directory does not exist/);
    await expect(writeWebSite([site], path.join(tmp, 'out'))).rejects.toThrow(/site: not a run directory \(no config.json\)/);
    await expect(writeWebSite([], path.join(tmp, 'out'))).rejects.toThrow('no run directory given');
    expect(fs.existsSync(path.join(tmp, 'out'))).toBe(false);
  });

  it('from the command line: serve refuses a missing run, export refuses several runs without --web', async () => {
    const serve = await runCli(['serve', path.join(tmp, 'missing'), '--port', '0']);
    expect(serve.code).toBe(2);
    expect(serve.stderr).toMatch(/cat-cli: error: .*missing: run directory does not exist/);
    const exp = await runCli(['export', site, site, '--out', path.join(tmp, 'o')]);
    expect(exp.code).toBe(2);
    expect(exp.stderr).toContain('export takes one run directory (got 2); several only with --web');
  });
});
