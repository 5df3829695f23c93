import { defineConfig } from 'vitest/config';

/**
 * `npm run test:soak`: the heavy variants of the reliability suites (not part
 * of `npm test`). One file at a time: each one loads the machine on purpose.
 */
export default defineConfig({
  test: {
    include: ['test/soak/**/*.soak.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
