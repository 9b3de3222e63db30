import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // build.ts builds dist/ first; kafka.ts stops the test broker that Kafka tests start on first use
    globalSetup: ['test/support/build.ts', 'test/support/kafka.ts'],
    setupFiles: ['test/support/reap.ts'],
    testTimeout: 30_000,
    // two cores: end-to-end tests spawn processes of their own
    maxWorkers: 2,
  },
});
