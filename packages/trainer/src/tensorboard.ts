/**
 * TensorBoard event files beside metrics.jsonl: `RUN_DIR/tensorboard/events.out.tfevents.*`,
 * one scalar event per finished epoch (step = epoch), holding every number of the epoch's
 * metrics.jsonl line. Point TensorBoard at the run dir (or at a folder of runs):
 * `tensorboard --logdir RUN_DIR`.
 *
 * The format is TensorFlow's TFRecord framing of `Event` protocol buffers: each record is
 * `uint64 length, uint32 masked_crc32c(length), bytes, uint32 masked_crc32c(bytes)` (little
 * endian). The protobuf encoding is @bufbuild/protobuf's wire writer and the checksum
 * @aws-crypto/crc32c's; no TensorFlow is needed.
 *
 * Crash safety: an epoch's event is appended as one write and fsynced, so a killed run leaves
 * every earlier epoch readable (at worst a torn last record, which readers skip as TensorBoard
 * does). Each process writes its own file; on resume the files already there are cut back to the
 * checkpoint's epochs (a record past it, or a torn one, is dropped by rewriting that file
 * atomically), and epochs the checkpoint has that no file holds are written first into the new
 * file, so the event files hold each epoch of metrics.jsonl exactly once.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32c } from '@aws-crypto/crc32c';
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { appendSynced, fsyncDir, removeStaleTemps, writeFileAtomic, writeFileSynced } from '@cat/core';
import type { EpochMetrics } from './metrics-log.js';

/** The folder of a run's event files, inside the run dir. */
export const TENSORBOARD_DIR = 'tensorboard';
/** What every event file's name starts with (TensorBoard finds files by `tfevents` in the name). */
export const EVENT_FILE_PREFIX = 'events.out.tfevents.';

/** `RUN_DIR/tensorboard`. */
export function tensorboardDir(runDir: string): string {
  return path.join(runDir, TENSORBOARD_DIR);
}

/** TFRecord's masked CRC32C: the checksum rotated right by 15 bits plus a constant. */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** One TFRecord: length, its checksum, the bytes, their checksum. */
function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

// Field numbers of tensorflow/core/util/event.proto and framework/summary.proto.
const EVENT_WALL_TIME = 1;
const EVENT_STEP = 2;
const EVENT_FILE_VERSION = 3;
const EVENT_SUMMARY = 5;
const SUMMARY_VALUE = 1;
const VALUE_TAG = 1;
const VALUE_SIMPLE_VALUE = 2;

/** The first event of every file: `file_version: "brain.Event:2"`. */
function fileVersionEvent(wallTime: number): Uint8Array {
  return new BinaryWriter()
    .tag(EVENT_WALL_TIME, WireType.Bit64)
    .double(wallTime)
    .tag(EVENT_FILE_VERSION, WireType.LengthDelimited)
    .string('brain.Event:2')
    .finish();
}

/** An event holding one `Summary` of scalars (`simple_value`, TensorBoard's scalar plugin reads it). */
function scalarsEvent(wallTime: number, step: number, scalars: ReadonlyArray<readonly [string, number]>): Uint8Array {
  const w = new BinaryWriter()
    .tag(EVENT_WALL_TIME, WireType.Bit64)
    .double(wallTime)
    .tag(EVENT_STEP, WireType.Varint)
    .int64(step)
    .tag(EVENT_SUMMARY, WireType.LengthDelimited)
    .fork();
  for (const [tag, value] of scalars) {
    w.tag(SUMMARY_VALUE, WireType.LengthDelimited)
      .fork()
      .tag(VALUE_TAG, WireType.LengthDelimited)
      .string(tag)
      .tag(VALUE_SIMPLE_VALUE, WireType.Bit32)
      .float(value)
      .join();
  }
  return w.join().finish();
}

/**
 * The scalars of one epoch line, tag and value, in a fixed order: `loss/<term>` for every loss
 * term, `accuracy/natural` and `accuracy/pgd10`, `mask/<stat>` and `mask_end/<stat>` (CAT:
 * mean, low, high, and stroke and background when present), `lr`, `throughput/images_per_sec`
 * and `time/{train,eval,wall}_seconds`.
 */
export function epochScalars(m: EpochMetrics): Array<[string, number]> {
  const out: Array<[string, number]> = Object.entries(m.losses).map(([k, v]) => [`loss/${k}`, v]);
  out.push(['accuracy/natural', m.naturalAcc], ['accuracy/pgd10', m.pgd10Acc]);
  for (const [prefix, stats] of [['mask', m.mask], ['mask_end', m.maskEnd]] as const) {
    if (!stats) continue;
    for (const [k, v] of Object.entries(stats)) if (typeof v === 'number') out.push([`${prefix}/${k}`, v]);
  }
  out.push(
    ['lr', m.lr],
    ['throughput/images_per_sec', m.imagesPerSec],
    ['time/train_seconds', m.trainSeconds],
    ['time/eval_seconds', m.evalSeconds],
    ['time/wall_seconds', m.wallSeconds],
  );
  return out;
}

/** A complete record of an event file: its bytes as framed on disk, and its event's step. */
interface StoredRecord {
  framed: Uint8Array;
  step: number;
  hasSummary: boolean;
}

/**
 * The complete, checksum-valid records at the start of an event file; `torn` when bytes after
 * them do not form a valid record (a killed write, or damage).
 */
function readRecords(bytes: Uint8Array): { records: StoredRecord[]; torn: boolean } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: StoredRecord[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (pos + 12 > bytes.length || view.getUint32(pos + 8, true) !== maskedCrc32c(bytes.subarray(pos, pos + 8))) break;
    const len = Number(view.getBigUint64(pos, true));
    const end = pos + 12 + len + 4;
    if (end > bytes.length) break;
    const data = bytes.subarray(pos + 12, pos + 12 + len);
    if (view.getUint32(pos + 12 + len, true) !== maskedCrc32c(data)) break;
    let step = 0;
    let hasSummary = false;
    const r = new BinaryReader(data);
    while (r.pos < r.len) {
      const [field, wireType] = r.tag();
      if (field === EVENT_STEP && wireType === WireType.Varint) step = Number(r.int64());
      else {
        if (field === EVENT_SUMMARY) hasSummary = true;
        r.skip(wireType, field);
      }
    }
    records.push({ framed: bytes.subarray(pos, end), step, hasSummary });
    pos = end;
  }
  return { records, torn: pos < bytes.length };
}

let fileCounter = 0;

/** Appends epochs to one event file of a run; see {@link openTensorBoardLog}. */
export interface TensorBoardLog {
  /** The event file this process writes. */
  readonly file: string;
  /** Append one epoch's scalars (step = its epoch), fsynced. */
  append(m: EpochMetrics): void;
}

/**
 * Opens a new event file in `RUN_DIR/tensorboard` for this process, after bringing the files
 * already there in line with `history`, the epochs the run resumes from (empty for a fresh start:
 * every old event file is deleted). Events past the last epoch of `history`, and torn records,
 * are dropped from old files; epochs of `history` that no file holds are written into the new
 * one. Returns the log and warnings about what was dropped.
 */
export function openTensorBoardLog(runDir: string, history: readonly EpochMetrics[]): { log: TensorBoardLog; warnings: string[] } {
  const dir = tensorboardDir(runDir);
  fs.mkdirSync(dir, { recursive: true });
  const warnings: string[] = [];
  const lastEpoch = history.length > 0 ? history[history.length - 1].epoch : 0;
  // (A name with `.tmp-` is a rewrite that a killed run left half-done: removeStaleTemps drops it.)
  const oldFiles = fs.readdirSync(dir).filter((n) => n.startsWith(EVENT_FILE_PREFIX) && !n.includes('.tmp-')).sort().map((n) => path.join(dir, n));
  const held = new Set<number>();
  for (const file of oldFiles) {
    removeStaleTemps(file);
    if (lastEpoch === 0) {
      fs.rmSync(file, { force: true });
      continue;
    }
    const { records, torn } = readRecords(fs.readFileSync(file));
    const keep = records.filter((r) => !r.hasSummary || r.step <= lastEpoch);
    const dropped = records.length - keep.length;
    if (torn) warnings.push(`${file}: dropping a torn last record (the run was killed while writing it)`);
    if (dropped > 0) warnings.push(`${file}: dropping ${dropped} event(s) past the checkpoint's epoch ${lastEpoch}`);
    if (!keep.some((r) => r.hasSummary)) fs.rmSync(file, { force: true });
    else if (torn || dropped > 0) writeFileAtomic(file, Buffer.concat(keep.map((r) => r.framed)));
    for (const r of keep) if (r.hasSummary) held.add(r.step);
  }
  const missing = history.filter((m) => !held.has(m.epoch));
  // An epoch missing below one that a file holds would come out of order: rewrite all instead.
  const rewriteAll = missing.some((m) => m.epoch < Math.max(0, ...held));
  if (rewriteAll) {
    for (const file of oldFiles) fs.rmSync(file, { force: true });
    warnings.push(`${dir}: the event files lacked some of the checkpoint's epochs; rewriting them all from the checkpoint's metrics`);
  }
  const now = Date.now() / 1000;
  // Seconds, host, process and a counter: no two writers (or two runs of one process) share a file.
  const file = path.join(dir, `${EVENT_FILE_PREFIX}${Math.floor(now)}.${os.hostname()}.${process.pid}.${fileCounter++}`);
  const first = [fileVersionEvent(now), ...(rewriteAll ? history : missing).map((m) => scalarsEvent(now, m.epoch, epochScalars(m)))];
  writeFileSynced(file, Buffer.concat(first.map(frameRecord)));
  fsyncDir(dir);
  const log: TensorBoardLog = {
    file,
    append(m) {
      appendSynced(file, frameRecord(scalarsEvent(Date.now() / 1000, m.epoch, epochScalars(m))));
    },
  };
  return { log, warnings };
}
