import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    setupFiles: ['test/setup.ts'],
    // Property tests run a bounded number of cases; long fuzzing is `npm run fuzz`.
  },
});
