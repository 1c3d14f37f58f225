/**
 * TensorBoard event files written by `train`, read back through an independent reader: the
 * TFRecord framing and a bitwise CRC32C written here, and the Event protobuf decoded with
 * protobufjs (the writer uses @bufbuild/protobuf and @aws-crypto/crc32c). They must hold exactly
 * the scalars of metrics.jsonl, each epoch once, through a resume, a torn record and a restart.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreDeps, readMetricsLog, train, TrainingAbortedError, type EpochMetrics, type TrainEvent } from '@cat/trainer';
import { fakeDeps, tinyConfig } from './fakes.js';

let tmp: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cat-tb-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// ---- the independent reader ----

/** CRC32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit. */
function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
const masked = (crc: number) => (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;

const root = protobuf.Root.fromJSON({
  nested: {
    Event: {
      fields: {
        wallTime: { type: 'double', id: 1 },
        step: { type: 'int64', id: 2 },
        fileVersion: { type: 'string', id: 3 },
        summary: { type: 'Summary', id: 5 },
      },
    },
    Summary: { fields: { value: { rule: 'repeated', type: 'Value', id: 1 } } },
    Value: { fields: { tag: { type: 'string', id: 1 }, simpleValue: { type: 'float', id: 2 } } },
  },
});
const EventType = root.lookupType('Event');

interface ReadEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalars?: Record<string, number>;
}

/** Every record of a file, each checksum verified; throws on any byte that is not a whole valid record. */
function readEventFile(file: string): ReadEvent[] {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const events: ReadEvent[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (pos + 12 > bytes.length) throw new Error(`${file}: torn length at ${pos}`);
    const len = Number(view.getBigUint64(pos, true));
    if (view.getUint32(pos + 8, true) !== masked(crc32c(bytes.subarray(pos, pos + 8)))) throw new Error(`${file}: bad length crc at ${pos}`);
    if (pos + 16 + len > bytes.length) throw new Error(`${file}: torn record at ${pos}`);
    const data = bytes.subarray(pos + 12, pos + 12 + len);
    if (view.getUint32(pos + 12 + len, true) !== masked(crc32c(data))) throw new Error(`${file}: bad data crc at ${pos}`);
    const msg = EventType.decode(data) as any;
    const ev = EventType.toObject(msg, { longs: Number }) as any;
    const out: ReadEvent = { wallTime: ev.wallTime, step: ev.step ?? 0 };
    if (ev.fileVersion !== undefined) out.fileVersion = ev.fileVersion;
    // From the message, not toObject (which leaves out values equal to the default 0).
    if (msg.summary) out.scalars = Object.fromEntries(msg.summary.value.map((v: any) => [v.tag, v.simpleValue]));
    events.push(out);
    pos += 16 + len;
  }
  return events;
}

const tbDir = (run: string) => path.join(run, 'tensorboard');
const eventFiles = (run: string) =>
  fs.readdirSync(tbDir(run)).filter((n) => n.startsWith('events.out.tfevents.')).sort().map((n) => path.join(tbDir(run), n));

/** The scalar events of all of a run's files, in file order. */
const scalarEvents = (run: string) => eventFiles(run).flatMap((f) => readEventFile(f).filter((e) => e.scalars));

/** What the event of an epoch must hold: every number of its metrics.jsonl line, as float32. */
function expectedScalars(m: EpochMetrics): Record<string, number> {
  const want: Record<string, number> = {
    'accuracy/natural': m.naturalAcc,
    'accuracy/pgd10': m.pgd10Acc,
    lr: m.lr,
    'throughput/images_per_sec': m.imagesPerSec,
    'time/train_seconds': m.trainSeconds,
    'time/eval_seconds': m.evalSeconds,
    'time/wall_seconds': m.wallSeconds,
  };
  for (const [k, v] of Object.entries(m.losses)) want[`loss/${k}`] = v;
  for (const [k, v] of Object.entries(m.mask ?? {})) want[`mask/${k}`] = v as number;
  for (const [k, v] of Object.entries(m.maskEnd ?? {})) want[`mask_end/${k}`] = v as number;
  for (const k of Object.keys(want)) want[k] = Math.fround(want[k]);
  return want;
}

/** The run's events hold each line of metrics.jsonl once, in order, with exactly its scalars. */
function expectEventsMatchMetrics(run: string, epochs: number): EpochMetrics[] {
  const metrics = readMetricsLog(path.join(run, 'metrics.jsonl')).records;
  expect(metrics.map((m) => m.epoch)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
  const events = scalarEvents(run);
  expect(events.map((e) => e.step)).toEqual(metrics.map((m) => m.epoch));
  events.forEach((e, i) => expect(e.scalars).toEqual(expectedScalars(metrics[i])));
  return metrics;
}

// ---- the runs: real training (the trainer's tiny fakes for data and models, core's real CAT method) ----

const deps = () => ({ ...fakeDeps(), createMethod: coreDeps.createMethod });
const config = (out: string, epochs: number) => tinyConfig(out, { epochs, steps: 2, milestones: [] });

async function run(out: string, epochs: number, opts: { resume?: boolean; force?: boolean; stopAt?: (e: TrainEvent) => boolean } = {}) {
  const ac = new AbortController();
  const warnings: string[] = [];
  try {
    const r = await train(config(out, epochs), {
      deps: deps(),
      resume: opts.resume,
      force: opts.force,
      signal: ac.signal,
      onProgress: (e) => {
        if (e.type === 'warning') warnings.push(e.message);
        if (opts.stopAt?.(e)) ac.abort();
      },
    });
    tf.dispose([r.f, r.g!]);
    return { err: null, warnings };
  } catch (err) {
    return { err: err as Error, warnings };
  }
}

describe('TensorBoard event files', () => {
  it('a run writes one file whose checksummed events hold every scalar of metrics.jsonl, mask statistics included', async () => {
    const out = path.join(tmp, 'plain');
    const t0 = Date.now() / 1000;
    expect((await run(out, 2)).err).toBeNull();
    const files = eventFiles(out);
    expect(files).toHaveLength(1);
    expect(path.basename(files[0])).toMatch(new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\.${os.hostname().replace(/\./g, '\\.')}\\.`));
    const events = readEventFile(files[0]);
    expect(events[0]).toMatchObject({ fileVersion: 'brain.Event:2', step: 0 });
    for (const e of events) expect(e.wallTime).toBeGreaterThanOrEqual(Math.floor(t0));
    const metrics = expectEventsMatchMetrics(out, 2);
    // The real CAT method reports its loss terms and the mask statistics, stroke and background included.
    const tags = Object.keys(scalarEvents(out)[0].scalars!);
    expect(tags.filter((t) => t.startsWith('loss/')).length).toBeGreaterThanOrEqual(2);
    // (No background pixels in the synthetic images: they are all >= 0.1, so no mask/background.)
    expect(Object.keys(metrics[0].mask ?? {}).sort()).toEqual(['high', 'low', 'mean', 'stroke']);
    for (const s of ['mean', 'low', 'high', 'stroke']) expect(tags).toContain(`mask/${s}`);
  });

  it('a resumed run drops events past the checkpoint, a torn record and a half-done rewrite, keeps the earlier ones and adds each epoch once', async () => {
    const out = path.join(tmp, 'resume');
    const stop = await run(out, 3, { stopAt: (e) => e.type === 'epoch' && e.metrics.epoch === 1 });
    expect(stop.err).toBeInstanceOf(TrainingAbortedError);
    const [first] = eventFiles(out);
    const before = readEventFile(first);
    expect(before.filter((e) => e.scalars).map((e) => e.step)).toEqual([1]);
    // A record for an epoch the checkpoint never reached (as when a run is killed between the
    // metrics line and the checkpoint), then a torn record (killed mid-write).
    const bytes = fs.readFileSync(first);
    const epoch1 = bytes.subarray(firstRecordLength(bytes));
    fs.appendFileSync(first, Buffer.concat([withStep(epoch1, 2), epoch1.subarray(0, 20)]));
    expect(() => readEventFile(first)).toThrow(/torn/);
    // And a rewrite of that file that a killed resume left half-done.
    fs.writeFileSync(`${first}.tmp-1234-abcdefgh`, bytes.subarray(0, 30));

    const resumed = await run(out, 3, { resume: true });
    expect(resumed.err).toBeNull();
    expect(resumed.warnings.join('\n')).toMatch(/dropping a torn last record/);
    expect(resumed.warnings.join('\n')).toMatch(/dropping 1 event\(s\) past the checkpoint's epoch 1/);
    const files = eventFiles(out);
    expect(files).toHaveLength(2);
    // The first file is whole again and still holds epoch 1 as first written (same wall time).
    expect(readEventFile(first)).toEqual(before);
    expect(readEventFile(files[1]).filter((e) => e.scalars).map((e) => e.step)).toEqual([2, 3]);
    expectEventsMatchMetrics(out, 3);
  });

  it('a resume writes the checkpoint epochs that no event file holds, and a fresh start deletes old files', async () => {
    const out = path.join(tmp, 'backfill');
    await run(out, 3, { stopAt: (e) => e.type === 'epoch' && e.metrics.epoch === 2 });
    for (const f of eventFiles(out)) fs.rmSync(f);
    expect((await run(out, 3, { resume: true })).err).toBeNull();
    expect(eventFiles(out)).toHaveLength(1);
    expectEventsMatchMetrics(out, 3);

    expect((await run(out, 1, { force: true })).err).toBeNull();
    expect(eventFiles(out)).toHaveLength(1);
    expectEventsMatchMetrics(out, 1);
  });
});

/** Length of the first record (the file_version event) of an event file. */
function firstRecordLength(bytes: Uint8Array): number {
  return 16 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
}

/** A framed scalar record re-encoded with another step, framed and checksummed here (independent writer). */
function withStep(framed: Uint8Array, step: number): Buffer {
  const len = Number(Buffer.from(framed).readBigUInt64LE(0));
  const msg = EventType.decode(framed.subarray(12, 12 + len)) as any;
  msg.step = step;
  const data = EventType.encode(msg).finish();
  const head = Buffer.alloc(12);
  head.writeBigUInt64LE(BigInt(data.length), 0);
  head.writeUInt32LE(masked(crc32c(head.subarray(0, 8))), 8);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(masked(crc32c(data)), 0);
  return Buffer.concat([head, data, tail]);
}
