#!/usr/bin/env node
/**
 * Generates the TypeScript side of native/ops.manifest (the Rust side comes from the crates'
 * build.rs, which read the same file the same way):
 *   native/index.d.ts                          the addon's types, one signature per `fn`
 *   packages/core/src/backend/native-ops.ts    the function list, the op-code tables, the hash
 * Run by `pnpm --filter @cat/native build`. `--check` writes nothing and exits 1 when a generated
 * file is out of date (test/parity/native-manifest.test.ts runs the same check).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const MANIFEST = join(ROOT, 'native/ops.manifest');
const HEADER = '// Generated from native/ops.manifest by tools/gen-native-ops.mjs: edit the manifest, not this file.\n';

/** Pieces of `s` split at `sep` outside parentheses, trimmed, empty ones dropped. */
function splitTopLevel(s, sep) {
  const out = [];
  let [cur, depth] = ['', 0];
  for (const c of s) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === sep && depth === 0) [out[out.length], cur] = [cur, ''];
    else cur += c;
  }
  out.push(cur);
  return out.map((p) => p.trim()).filter((p) => p !== '');
}

/** `LeakyRelu(alpha)` -> { name, params: [{ attr: 'alpha' }] }; `Step(alpha=0)` gives a default. */
function parseCode(entry) {
  const [name, list = ''] = entry.replace(/\)$/, '').split('(');
  const params = splitTopLevel(list, ',').map((p) => {
    const [attr, dflt] = p.split('=').map((s) => s.trim());
    return dflt === undefined ? { attr } : { attr, default: Number(dflt) };
  });
  return { name, params };
}

/**
 * The manifest's functions (name, args [{name, type}], returnsString, doc lines), code tables
 * (name, entries) and hash: FNV-1a 64 of the declaration lines with whitespace collapsed, the
 * same as native/manifest.rs computes.
 */
export function readManifest(text = readFileSync(MANIFEST, 'utf8')) {
  const funcs = [];
  const codes = [];
  const canonical = [];
  let doc = [];
  text.split(/\r?\n/).forEach((raw, n) => {
    const line = raw.trim().split(/\s+/).join(' ');
    const fail = (msg) => {
      throw new Error(`native/ops.manifest:${n + 1}: ${msg}`);
    };
    if (line.startsWith('///')) return void doc.push(raw.trim().slice(3).trim());
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('codes ')) {
      const m = /^codes ([A-Za-z]\w*):(.*)$/.exec(line) ?? fail('expected `codes ENUM: NAME ...`');
      codes.push({ name: m[1], entries: splitTopLevel(m[2], ' ').map(parseCode) });
    } else if (line.startsWith('fn ')) {
      const m = /^fn ([A-Za-z]\w*)\((.*)\)\s*(-> string)?$/.exec(line) ?? fail('expected `fn NAME(ARG: TYPE, ...)`');
      const args = splitTopLevel(m[2], ',').map((a) => {
        const [name, type] = a.split(':').map((s) => s.trim());
        return type ? { name, type } : fail(`argument \`${a}\` needs a type`);
      });
      funcs.push({ name: m[1], args, returnsString: m[3] !== undefined, doc });
    } else {
      fail('expected `fn`, `codes`, `#` or `///`');
    }
    doc = [];
    canonical.push(line);
  });
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(canonical.join('\n'), 'utf8')) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return { funcs, codes, hash: h.toString(16).padStart(16, '0') };
}

/** `UnaryOp` -> `UNARY_OP`. */
const constName = (name) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

const codeList = (c) => c.entries.map((e, i) => `${i} ${e.name}${e.params.length ? `(${e.params.map((p) => p.attr).join(', ')})` : ''}`).join(', ');

function tsType(arg, codes) {
  if (arg.type === 'f32?') return 'Float32Array | null';
  if (['f32', 'f32mut', 'buffer'].includes(arg.type)) return 'Float32Array';
  if (['usize', 'f64'].includes(arg.type) || codes.some((c) => c.name === arg.type)) return 'number';
  if (arg.type.startsWith('usize[')) return 'number[]';
  const type = { bool: 'boolean', string: 'string', activation: 'NativeActivation' }[arg.type];
  if (type === undefined) throw new Error(`native/ops.manifest: unknown type \`${arg.type}\` of argument ${arg.name}`);
  return type;
}

function signature(f, codes) {
  // Trailing nullable inputs may be left out.
  let firstOptional = f.args.length;
  while (firstOptional > 0 && f.args[firstOptional - 1].type === 'f32?') firstOptional--;
  const params = f.args.map((a, i) => `${a.name}${i >= firstOptional ? '?' : ''}: ${tsType(a, codes)}`);
  const ret = f.returnsString ? 'string' : 'void';
  const oneLine = `    ${f.name}(${params.join(', ')}): ${ret};`;
  const body = oneLine.length <= 120 ? oneLine : `    ${f.name}(\n${params.map((p) => `      ${p},\n`).join('')}    ): ${ret};`;
  const doc = [...f.doc];
  for (const a of f.args) {
    const c = codes.find((t) => t.name === a.type);
    if (c) doc.push(`\`${a.name}\` is a ${c.name} code: ${codeList(c)}.`);
  }
  const comment = doc.length === 1 ? `    /** ${doc[0]} */\n` : `    /**\n${doc.map((d) => `     * ${d}\n`).join('')}     */\n`;
  return comment + body;
}

function indexDts(m) {
  return `${HEADER}/**
 * Types of the native addon. Every function is synchronous, borrows its Float32Array arguments
 * without copying and writes its result into the output arrays the caller allocated. Wrong
 * argument types throw a TypeError, bad shapes an Error with code \`CAT_NATIVE\`. Argument order:
 * inputs, optional inputs, outputs, attributes. See native/README.md.
 */

declare namespace addon {
  /** Activation names of tfjs's fused ops that the native kernels fuse. */
  export type NativeActivation = 'linear' | 'relu' | 'relu6' | 'leakyrelu' | 'sigmoid' | 'elu';

  export interface NativeAddon {
${m.funcs.map((f) => signature(f, m.codes)).join('\n')}
  }
}

declare const addon: addon.NativeAddon;
export = addon;
`;
}

function nativeOpsTs(m) {
  const tables = m.codes.map((c) => {
    const type = `${c.name}Name`;
    const entries = c.entries.map((e, i) => {
      const params = e.params.map((p) => `{ attr: '${p.attr}'${p.default === undefined ? '' : `, default: ${p.default}`} }`);
      return `  ${e.name}: { code: ${i}, params: [${params.join(', ')}] },\n`;
    });
    return `/** The \`${c.name}\` codes by name. */
export type ${type} = ${c.entries.map((e) => `'${e.name}'`).join(' | ')};
export const ${constName(c.name)}: Readonly<Record<${type}, OpCode>> = {
${entries.join('')}};
`;
  });
  return `${HEADER}/** The native addon's functions and op codes, from native/ops.manifest. */
import type { OpCode } from './op-code.js';

/** Every function of the addon, in manifest order. */
export const ADDON_FUNCTIONS = [
${m.funcs.map((f) => `  '${f.name}',\n`).join('')}] as const;

/** Hash of the manifest's declarations; the addon's \`info()\` reports the one it was built from. */
export const OPS_MANIFEST_HASH = '${m.hash}';

${tables.join('\n')}`;
}

/** Every generated file (path relative to the repository root) and its content. */
export function generatedFiles(m = readManifest()) {
  return {
    'native/index.d.ts': indexDts(m),
    'packages/core/src/backend/native-ops.ts': nativeOpsTs(m),
  };
}

/** Generated files whose content on disk differs from what the manifest gives. */
export function staleFiles() {
  return Object.entries(generatedFiles()).flatMap(([path, text]) => {
    let current = '';
    try {
      current = readFileSync(join(ROOT, path), 'utf8');
    } catch {
      // missing: stale
    }
    return current === text ? [] : [path];
  });
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') {
  if (process.argv.includes('--check')) {
    const stale = staleFiles();
    if (stale.length > 0) {
      console.error(`Out of date with native/ops.manifest: ${stale.join(', ')}. Run node tools/gen-native-ops.mjs.`);
      process.exit(1);
    }
  } else {
    for (const [path, text] of Object.entries(generatedFiles())) writeFileSync(join(ROOT, path), text);
  }
}
