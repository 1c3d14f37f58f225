/**
 * The safetensors format (Hugging Face's, what `safetensors.torch.save_file` writes): an 8-byte
 * little-endian header length N, N bytes of UTF-8 JSON `{name: {dtype, shape, data_offsets:
 * [begin, end]}, __metadata__?: {string: string}}`, then the tensors' raw little-endian bytes,
 * offsets relative to the end of the header. Parsed by hand: npm's `safetensors` (0.0.1, no
 * repository or maintainer) is not maintained, and @huggingface/hub only reads headers of files
 * on the Hub. The checks are those of the reference reader (safetensors' Rust `validate`): the
 * tensors tile the data area exactly, in order, each as long as its dtype and shape say, and
 * the file ends where the last one does. Every error names the file and the tensor.
 */
import * as fs from 'node:fs';

/** Bytes per element of each safetensors dtype. */
export const SAFETENSORS_DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  I64: 8, U64: 8, F64: 8,
};

/** The floating-point dtypes that convert to float32. */
export const SAFETENSORS_FLOAT_DTYPES: readonly string[] = ['F16', 'BF16', 'F32', 'F64'];

/** Headers above this are refused, as the reference reader does (100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/** One tensor of a safetensors file: where its bytes lie, not yet converted. */
export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** The tensor's bytes (a view into the file's buffer). */
  bytes: Uint8Array;
}

/** A parsed safetensors file. */
export interface SafetensorsFile {
  /** Tensors in the order of their offsets. */
  tensors: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Parses a safetensors file's bytes (read from `file`, for messages). Throws on a file shorter
 * than its header length, a header that is not a JSON object, an entry without a known dtype,
 * a shape of non-negative integers and `data_offsets` [begin, end], offsets that overlap, leave
 * gaps, disagree with dtype x shape or run past the end, and trailing bytes after the last tensor.
 */
export function parseSafetensors(data: Uint8Array, file: string): SafetensorsFile {
  const bad = (msg: string) => new Error(`${file}: ${msg}`);
  if (data.byteLength < 8) throw bad(`${data.byteLength} bytes, too short for a safetensors file (8-byte header length first)`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER_BYTES, data.byteLength - 8))) {
    throw bad(`header length ${n} runs past the end of the file (${data.byteLength} bytes) or over ${MAX_HEADER_BYTES} bytes (truncated, or not a safetensors file)`);
  }
  const headerLen = Number(n);
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(8, 8 + headerLen));
    if (!text.startsWith('{')) throw new Error('does not start with {');
    header = JSON.parse(text);
  } catch (err) {
    throw bad(`header is not a UTF-8 JSON object (${(err as Error).message})`);
  }
  if (header == null || typeof header !== 'object' || Array.isArray(header)) throw bad('header is not a JSON object');
  const body = data.subarray(8 + headerLen);
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, spec] of Object.entries(header as Record<string, any>)) {
    if (name === '__metadata__') {
      if (spec == null || typeof spec !== 'object' || Array.isArray(spec) || !Object.values(spec).every((v) => typeof v === 'string')) {
        throw bad('__metadata__ must be an object of strings');
      }
      Object.assign(metadata, spec);
      continue;
    }
    const what = `tensor "${name}"`;
    if (spec == null || typeof spec !== 'object') throw bad(`${what}: entry is not an object {dtype, shape, data_offsets}`);
    const { dtype, shape, data_offsets: offsets } = spec;
    if (typeof dtype !== 'string' || SAFETENSORS_DTYPE_BYTES[dtype] === undefined) {
      throw bad(`${what}: unknown dtype ${JSON.stringify(dtype)} (expected one of ${Object.keys(SAFETENSORS_DTYPE_BYTES).join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every(isCount)) throw bad(`${what}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
      throw bad(`${what}: data_offsets ${JSON.stringify(offsets)} is not [begin, end] with 0 <= begin <= end`);
    }
    const bytes = shape.reduce((a: number, d: number) => a * d, 1) * SAFETENSORS_DTYPE_BYTES[dtype];
    if (offsets[1] - offsets[0] !== bytes) {
      throw bad(`${what}: data_offsets [${offsets}] span ${offsets[1] - offsets[0]} bytes, dtype ${dtype} and shape [${shape}] need ${bytes}`);
    }
    entries.push({ name, dtype, shape, begin: offsets[0], end: offsets[1] });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of entries) {
    if (e.begin !== at) {
      throw bad(`tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] ${e.begin < at ? 'overlap the previous tensor' : 'leave a gap after the previous tensor'} (expected it to begin at ${at})`);
    }
    if (e.end > body.byteLength) {
      throw bad(`tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] run past the end of the data (${body.byteLength} bytes: truncated file)`);
    }
    at = e.end;
  }
  if (at !== body.byteLength) throw bad(`${body.byteLength - at} bytes after the last tensor (the header describes ${at} bytes of data)`);
  const tensors = new Map<string, SafetensorsEntry>();
  for (const e of entries) tensors.set(e.name, { name: e.name, dtype: e.dtype, shape: e.shape, bytes: body.subarray(e.begin, e.end) });
  return { tensors, metadata };
}

/** Reads and parses a safetensors file (see {@link parseSafetensors}). */
export function readSafetensors(file: string): SafetensorsFile {
  let data: Uint8Array;
  try {
    data = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${file} does not exist`);
    throw new Error(`${file}: cannot read (${(err as Error).message})`);
  }
  return parseSafetensors(data, file);
}

/** IEEE half-precision bits to a number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * A float tensor's values as float32 (F16, BF16 and F64 converted; F64 rounds to nearest).
 * Throws, naming the tensor, for any other dtype.
 */
export function safetensorsToFloat32(t: SafetensorsEntry, file: string): Float32Array {
  const v = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  const size = t.bytes.byteLength / SAFETENSORS_DTYPE_BYTES[t.dtype];
  const out = new Float32Array(size);
  switch (t.dtype) {
    case 'F32':
      for (let i = 0; i < size; i++) out[i] = v.getFloat32(4 * i, true);
      break;
    case 'F64':
      for (let i = 0; i < size; i++) out[i] = v.getFloat64(8 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < size; i++) out[i] = halfToFloat(v.getUint16(2 * i, true));
      break;
    case 'BF16': {
      // bfloat16 is the upper half of a float32.
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < size; i++) u[i] = v.getUint16(2 * i, true) << 16;
      break;
    }
    default:
      throw new Error(`${file}: tensor "${t.name}" has dtype ${t.dtype}, expected a float dtype (${SAFETENSORS_FLOAT_DTYPES.join(', ')})`);
  }
  return out;
}

/** A tensor to write with {@link encodeSafetensors}: float32 values, or raw little-endian bytes of `dtype`. */
export type SafetensorsInput =
  | { name: string; shape: number[]; data: Float32Array }
  | { name: string; shape: number[]; dtype: string; bytes: Uint8Array };

/**
 * Encodes tensors as a safetensors file, in the given order (the header padded with spaces to a
 * multiple of 8 bytes, as the reference writer does). The input is not validated beyond what
 * building the header needs, so tests can also write malformed files by editing the result.
 */
export function encodeSafetensors(tensors: SafetensorsInput[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const t of tensors) {
    const bytes = 'data' in t ? new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) : t.bytes;
    header[t.name] = { dtype: 'data' in t ? 'F32' : t.dtype, shape: t.shape, data_offsets: [at, at + bytes.byteLength] };
    parts.push(bytes);
    at += bytes.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength) json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padded - json.byteLength));
  const out = new Uint8Array(8 + json.byteLength + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let o = 8 + json.byteLength;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}
