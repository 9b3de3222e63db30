import { configDefaults, defineConfig } from 'vitest/config';

/**
 * SLUICE_BIN=dist/sluice (npm test's second pass): every end-to-end file against the single binary,
 * but not the unit tests (src/, no command run) nor the files for which another command is meaningless:
 * test/binary.test.ts builds and runs a binary of its own, test/package.test.ts installs what
 * `npm pack` makes (bin/sluice and dist/), and test/floors.test.ts and test/man.test.ts
 * read the source tree and the man page, running no sluice.
 */
const binaryPass = process.env.SLUICE_BIN !== undefined;

export default defineConfig({
  test: {
    include: binaryPass ? ['test/**/*.test.ts'] : ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: binaryPass
      ? [...configDefaults.exclude, 'test/binary.test.ts', 'test/package.test.ts', 'test/floors.test.ts', 'test/man.test.ts']
      : configDefaults.exclude,
    // build.ts builds dist/ first; kafka.ts stops the test broker that Kafka tests start on first use
    globalSetup: ['test/support/build.ts', 'test/support/kafka.ts'],
    setupFiles: ['test/support/reap.ts'],
    testTimeout: 30_000,
    // two cores: end-to-end tests spawn processes of their own
    maxWorkers: 2,
  },
});
