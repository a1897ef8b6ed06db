import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/integration/**/*.test.ts',
      'test/security/**/*.test.ts',
      'test/sim/**/*.test.ts',
    ],
    environment: 'node',
    // The JSON report lets .ci/run print one closing 'N passed, N failed' line for both suites.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/unit.json' },
    pool: 'forks',
    testTimeout: 30_000,
  },
})
