// Shared by the experiment scripts: run cat-cli as a subprocess, read its run directories.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const cli = path.join(root, 'packages/cli/dist/main.js');

/** `--name value` from argv, else `dflt`. */
export function option(args, name, dflt) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
}

/** Runs `cat-cli ...argv`; ok is its exit status 0, out its stdout and stderr. */
export function runCli(argv) {
  const r = spawnSync(process.execPath, [cli, ...argv], { cwd: root, encoding: 'utf8' });
  return { ok: r.status === 0, status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** The lines of a JSON-lines file (metrics.jsonl), [] when it does not exist. */
export function readJsonLines(file) {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** Trains `flags` into `dir` unless `epochs` epochs are already logged there; resumes a killed run. */
export function trainOnce(dir, flags, epochs) {
  const metrics = path.join(dir, 'metrics.jsonl');
  if (readJsonLines(metrics).filter((m) => m.type === undefined || m.type === 'epoch').length >= epochs) return { ok: true, out: '' };
  return runCli([...flags, '--out', dir, fs.existsSync(path.join(dir, 'checkpoints/last')) ? '--resume' : '--force']);
}

/** The last line of a failed command's output (cat-cli's error message). */
export const lastLine = (out) => out.trim().split('\n').slice(-1)[0];

/** Mean and sample standard deviation. */
export function meanStd(xs) {
  const m = xs.reduce((a, x) => a + x, 0) / xs.length;
  const s = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean: m, std: s };
}

/** A one-line progress report with elapsed time and ETA. */
export function progress(i, n, t0, text) {
  const elapsed = (Date.now() - t0) / 1000;
  const eta = (elapsed / (i + 1)) * (n - i - 1);
  console.log(`[${i + 1}/${n}] ${text} (elapsed ${(elapsed / 60).toFixed(1)} min, ETA ${(eta / 60).toFixed(1)} min)`);
}
