/** The one cache folder every downloaded data set lives under. */
import { homedir } from 'node:os';
import * as path from 'node:path';

/**
 * The cache folder: `explicit` if given, else `$CAT_CACHE_DIR`, else `~/.cache/cat`.
 * Data set `name` lives in `<cache>/<name>/`.
 */
export function resolveCacheDir(explicit?: string): string {
  if (explicit) return path.resolve(explicit);
  const env = process.env.CAT_CACHE_DIR;
  if (env) return path.resolve(env);
  return path.join(homedir(), '.cache', 'cat');
}
