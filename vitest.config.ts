import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'config/**/*.test.ts', 'plugins/**/*.test.ts', 'test/**/*.test.ts'],
    // `*.postgres.test.ts`: races, several processes, a cut connection — real concurrency exists
    // only on a server, so without DATABASE_URL these files are not part of the run (rather than
    // skipped or failed as empty).
    exclude: [...configDefaults.exclude, ...(process.env.DATABASE_URL ? [] : ['**/*.postgres.test.ts'])],
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // An embedded PGlite database takes a few seconds to boot; each test file starts one.
    hookTimeout: 120_000,
    testTimeout: 60_000,
    reporters: ['default'],
  },
});
