/**
 * Spawning the cat CLI from its TypeScript sources (no build needed: the `source` export
 * condition plus tsx), as `pnpm cat-cli:dev` does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI_ENTRY = 'packages/cli/src/main.ts';

/** Start `cat-cli <args>`; stdout and stderr are collected. */
export function startCli(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CLI_ENTRY, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Run `cat-cli <args>` to completion. */
export function runCli(args: string[]) {
  return startCli(args).done;
}
