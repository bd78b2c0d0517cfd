import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

// One run over every package. Unit suites live in each package's tests/; the cross-service
// end-to-end suites in test/. PGlite instances are heavy (hundreds of MB each), so files run
// in a small number of forks.
export default defineConfig({
  resolve: {
    // One graphql instance for everyone: Apollo (loaded by Node) uses graphql's CommonJS entry,
    // so workspace sources must too, or `instanceof GraphQLError` fails across the two copies.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    include: [
      "{schema,platform,cdc-ingest,flows,gateway,launcher,test}/tests/**/*.test.ts",
      "subgraphs/*/tests/**/*.test.ts",
      "test/e2e/**/*.test.ts",
      "test/faults/**/*.test.ts",
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    reporters: process.env.CI ? ["default", ["json", { outputFile: "test-results/vitest.json" }]] : ["default"],
  },
});
