import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Property tests run many schedules; the default 5 s is tight on a shared 2-core machine.
    testTimeout: 30_000,
  },
});
