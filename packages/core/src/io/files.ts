/**
 * Files on disk that survive a crash: write to a temporary name, fsync, rename into place, fsync
 * the directory, so a crash at any moment leaves either the old file or the new one, never a torn
 * one; whole directories swapped the same way; and JSON reads whose errors name the file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

function tmpName(target: string): string {
  return `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

const errMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** fsync a directory so a rename or create inside it survives a power loss. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (err: any) {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
    if (err?.code !== 'EISDIR' && err?.code !== 'EINVAL' && err?.code !== 'EPERM') throw err;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** One write of `data` to `file` opened with `flag` ('w' replaces, 'a' appends), then fsync. */
function writeSynced(file: string, data: string | Uint8Array, flag: 'w' | 'a'): void {
  const fd = fs.openSync(file, flag);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Write a file's bytes and fsync it (no rename: for files inside a not-yet-committed directory). */
export function writeFileSynced(file: string, data: string | Uint8Array): void {
  writeSynced(file, data, 'w');
}

/** Replace `file` atomically with `data`. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = tmpName(file);
  try {
    writeFileSynced(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(path.dirname(file));
}

/**
 * Append bytes (or text) with a single write and fsync them. A crash can still tear them (the
 * kernel may persist part of a write), so the format must let readers detect a torn tail.
 */
export function appendSynced(file: string, data: string | Uint8Array): void {
  writeSynced(file, data, 'a');
}

/**
 * Append one complete line with a single write and fsync it. A crash can still tear the line
 * (the kernel may persist part of a write), which readers detect as an unparsable last line.
 */
export function appendLineSynced(file: string, line: string): void {
  if (line.includes('\n')) throw new Error(`appendLineSynced: line for ${file} contains a newline`);
  appendSynced(file, `${line}\n`);
}

/**
 * Read and parse a JSON file. Errors name the file and, when given, `what` it holds
 * (`<file>: run config is not valid JSON (...)`).
 */
export function readJsonFile(file: string, what?: string): any {
  const subject = what ? `${file}: ${what}` : file;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err: any) {
    if (err?.code === 'ENOENT') throw new Error(`${subject} does not exist`);
    throw new Error(`${subject}: cannot read (${errMessage(err)})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${subject} is not valid JSON (${errMessage(err)})`);
  }
}

/** A fresh, empty temporary directory beside `finalDir`, for {@link commitDir}. */
export function makeStagingDir(finalDir: string): string {
  const tmp = tmpName(finalDir);
  fs.mkdirSync(tmp, { recursive: true });
  return tmp;
}

/** The name an old directory is parked under while its replacement is moved in. */
export function parkedName(finalDir: string): string {
  return `${finalDir}.old`;
}

/**
 * Undo a crash in the middle of {@link commitDir}: if `finalDir` is missing but its parked copy
 * exists, that copy is the last complete one, so move it back.
 */
export function recoverDir(finalDir: string): void {
  const parked = parkedName(finalDir);
  if (!fs.existsSync(finalDir) && fs.existsSync(parked)) {
    fs.renameSync(parked, finalDir);
    fsyncDir(path.dirname(finalDir));
  }
}

/** Delete staging directories and temporary files a killed writer left beside `target`. */
export function removeStaleTemps(target: string): void {
  const parent = path.dirname(target);
  if (!fs.existsSync(parent)) return;
  const base = path.basename(target);
  for (const name of fs.readdirSync(parent)) {
    if (name.startsWith(`${base}.tmp-`)) fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}

/**
 * Move a complete staging directory (every file already fsynced) into `finalDir`. The previous
 * `finalDir` is parked, not deleted, until the new one is in place, so at every instant either
 * `finalDir` or its parked copy is a complete directory ({@link recoverDir} picks it up).
 */
export function commitDir(stagingDir: string, finalDir: string): void {
  fsyncDir(stagingDir);
  recoverDir(finalDir);
  const parked = parkedName(finalDir);
  const parent = path.dirname(finalDir);
  fs.rmSync(parked, { recursive: true, force: true });
  if (fs.existsSync(finalDir)) {
    fs.renameSync(finalDir, parked);
    fsyncDir(parent);
  }
  fs.renameSync(stagingDir, finalDir);
  fsyncDir(parent);
  fs.rmSync(parked, { recursive: true, force: true });
}
