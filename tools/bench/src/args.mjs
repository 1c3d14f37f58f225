/**
 * Tiny flag parser shared by the bench scripts: `--name value` or `--name=value`, `--flag`. A bare
 * `--` is skipped: `pnpm --filter @cat/bench SCRIPT -- --flag` passes it through.
 */
export function parseArgs(argv, known) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue;
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}' (flags: ${Object.keys(known).join(', ')})`);
    const [name, inline] = a.slice(2).split('=', 2);
    if (!(name in known)) throw new Error(`unknown flag --${name} (known: ${Object.keys(known).map((k) => `--${k}`).join(', ')})`);
    if (known[name] === 'boolean') {
      out[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    if (known[name] === 'int') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got '${value}'`);
      out[name] = n;
    } else if (known[name] === 'list') {
      out[name] = (out[name] ?? []).concat(value.split(',').filter(Boolean));
    } else {
      out[name] = value;
    }
  }
  return out;
}
