import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The Temporal SDK's native addon misbehaves in worker threads (TEMPORAL-NOTES.md).
    pool: 'forks',
    // One Temporal dev server per run, shared by the files; files run one after another so that
    // workflow bundling and the two cores are not fought over.
    fileParallelism: false,
    globalSetup: ['test/setup/temporal-server.ts'],
    include: ['test/**/*.test.ts', 'adapters/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
