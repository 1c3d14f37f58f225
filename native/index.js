// Loader for the native addon (written by hand: without the `napi` crate, @napi-rs/cli
// generates no loader). Throws an error that says how to build the addon if it is missing.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const file = join(__dirname, `cat-native.${process.platform}-${process.arch}-gnu.node`);
if (!existsSync(file)) {
  const err = new Error(
    `The cat native addon is not built (looked for ${file}). ` +
      'Build it with `pnpm --filter @cat/native build` (needs cargo and Debian packages ' +
      'librust-rayon-dev and libopenblas-dev), or pick another backend with --backend cpu.'
  );
  err.code = 'CAT_NATIVE_MISSING';
  throw err;
}
module.exports = require(file);
