import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    // The JSON report lets .ci/run print one closing 'N passed, N failed' line for both suites.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/e2e.json' },
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
})
