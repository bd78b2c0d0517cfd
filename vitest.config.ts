import { defineConfig } from "vitest/config";

// One run over every package. Unit suites live in each package's tests/; the cross-service
// end-to-end suites in test/. PGlite instances are heavy (hundreds of MB each), so files run
// in a small number of forks.
export default defineConfig({
  test: {
    include: ["{schema,platform,cdc-ingest,gateway,launcher,test}/tests/**/*.test.ts", "subgraphs/*/tests/**/*.test.ts", "test/e2e/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    reporters: process.env.CI ? ["default", ["json", { outputFile: "test-results/vitest.json" }]] : ["default"],
  },
});
