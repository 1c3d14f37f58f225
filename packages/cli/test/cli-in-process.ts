/** Running `cat-cli` in-process (its `main`), capturing what it writes to stdout and stderr. */
import { main } from '@cat/cli';

export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  (process.stdout as any).write = (s: string) => (out.push(String(s)), true);
  (process.stderr as any).write = (s: string) => (err.push(String(s)), true);
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    (process.stdout as any).write = ow;
    (process.stderr as any).write = ew;
  }
}
