import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure parts, fast, parallel) and `e2e` (real Docker engine, real git
// server). e2e files run one at a time: they share one Docker engine and several assert on
// host-wide things (published ports, container counts per app).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
          globalSetup: ['test/e2e/global-setup.ts'],
        },
      },
    ],
  },
});
