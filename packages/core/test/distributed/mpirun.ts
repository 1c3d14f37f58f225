/**
 * Runs a TypeScript script on N ranks with Open MPI's `mpirun` on loopback (the test machines
 * have one host): ranks oversubscribe the cores, talk over TCP on `lo`, and the native engine
 * runs one thread per rank. Fails, never skips, when mpirun is missing: CI installs Open MPI.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The `mpirun` options for N ranks on this one machine (as root too). */
export const LOOPBACK_MPIRUN_ARGS = ['--oversubscribe', '--mca', 'btl', 'self,tcp', '--mca', 'btl_tcp_if_include', 'lo', '--mca', 'oob_tcp_if_include', 'lo'];

/** Throws with what to install when `mpirun` is not on PATH. */
export function requireMpirun(): void {
  const probe = spawnSync('mpirun', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('mpirun is not installed: run tools/setup.sh (apt-get install -y libopenmpi-dev openmpi-bin)');
  }
}

export interface MpiRunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/**
 * The command line and spawn options of `mpirun -np N node --import tsx SCRIPT ...args`, run
 * from the repository root with @cat packages from source; each rank gets `env` on top of this
 * process's environment and one native thread.
 */
export function mpirunCommand(np: number, script: string, args: string[] = [], env: Record<string, string> = {}) {
  requireMpirun();
  return {
    command: 'mpirun',
    args: ['-np', String(np), ...LOOPBACK_MPIRUN_ARGS, ...Object.keys(env).flatMap((k) => ['-x', k]), 'node', '--conditions=source', '--import', 'tsx', script, ...args],
    options: {
      cwd: ROOT,
      env: { ...process.env, RAYON_NUM_THREADS: '1', OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1', ...env },
    },
  };
}

/** Runs {@link mpirunCommand} to the end. */
export function mpirun(np: number, script: string, args: string[] = [], env: Record<string, string> = {}, timeoutMs = 300_000): MpiRunResult {
  const { command, args: argv, options } = mpirunCommand(np, script, args, env);
  const t0 = performance.now();
  const run = spawnSync(command, argv, { ...options, encoding: 'utf8', timeout: timeoutMs });
  return { status: run.status, stdout: run.stdout ?? '', stderr: run.stderr ?? '', seconds: (performance.now() - t0) / 1000 };
}

/** The JSON lines a run printed (other lines, such as warnings, are ignored). */
export function jsonLines<T>(out: string): T[] {
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as T);
}
