import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests import workspace packages from source, so `vitest run` needs no TypeScript build
// (the native addon is still built first: `pnpm test` does that through turbo).
export default defineConfig({
  resolve: {
    alias: {
      // Subpath exports before their package: the first alias that matches wins.
      '@cat/core/layers': fileURLToPath(new URL('./packages/core/src/layers.ts', import.meta.url)),
      '@cat/core/browser': fileURLToPath(new URL('./packages/core/src/browser.ts', import.meta.url)),
      '@cat/core/node': fileURLToPath(new URL('./packages/core/src/node.ts', import.meta.url)),
      '@cat/core': src('core'),
      '@cat/trainer': src('trainer'),
      '@cat/viz': src('viz'),
      '@cat/cli': src('cli'),
      '@cat/web': src('web'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
