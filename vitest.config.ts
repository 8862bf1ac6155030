import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'config/**/*.test.ts', 'plugins/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // An embedded PGlite database takes a few seconds to boot; each test file starts one.
    hookTimeout: 120_000,
    testTimeout: 60_000,
    reporters: ['default'],
  },
});
