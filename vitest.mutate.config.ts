// The fast unit tests Stryker runs against each mutant (npm run mutate): no registry, no Azurite.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/core/**/*.test.ts',
      'test/config/**/*.test.ts',
      'test/webhooks/**/*.test.ts',
      'test/functions/timer-schedule.test.ts',
      'test/workflows/orchestration-kit.test.ts',
      'test/registry/headers.test.ts',
      'test/registry/media-types.test.ts',
      'test/registry/rate-limit.test.ts',
      'test/registry/registry-errors.test.ts',
      'test/registry/platform-filter.test.ts',
      'test/local/data-lock.test.ts',
    ],
    // Run as nobody, this test's child cannot enter Stryker's sandbox (mode 700): it passes in `npm test`.
    testNamePattern: '^(?!.*owned by another user)',
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 30_000,
    allowOnly: false,
  },
});
