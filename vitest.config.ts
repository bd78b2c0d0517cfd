import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

const require = createRequire(import.meta.url);

// Three projects, each runnable alone (`npm test -- --project unit`):
// - unit: each package's tests/ on PGlite in process (one service at a time, no whole hub);
// - e2e: the whole hub on PGlite, through the public API (test/e2e);
// - postgres: everything that needs a Postgres server: files named *.pg.test.ts, plus the
//   Postgres half of the suites that run on both databases (BOTH_BACKENDS below);
// - faults: test/faults, the hub under faults (a process per service, on a Postgres cluster of its own).
// CROSSDOCK_TEST_BACKENDS tells the suites that run on both which database this project covers.
// PGlite instances are heavy (hundreds of MB each), so files run in a small number of forks.

// Every package keeps its own tests in tests/ (test/ is the e2e package and has none).
const PACKAGE_TESTS = ["*/tests/**/*.test.ts", "subgraphs/*/tests/**/*.test.ts"];
const E2E_TESTS = ["test/e2e/**/*.test.ts"];
const POSTGRES_ONLY = "**/*.pg.test.ts";
const FAULT_TESTS = ["test/faults/**/*.test.ts"];

/** Suites written for both databases (they loop over the backends of the run). */
const BOTH_BACKENDS = [
  "subgraphs/erp/tests/mutations.test.ts",
  "subgraphs/erp/tests/flowWrites.test.ts",
  "subgraphs/erp/tests/queries.test.ts",
  "subgraphs/erp/tests/writeAccess.test.ts",
  "subgraphs/erp/tests/amendments.test.ts",
  "subgraphs/erp/tests/payments.test.ts",
  "cdc-ingest/tests/auditLog.test.ts",
  "cdc-ingest/tests/auditChain.test.ts",
  "cdc-ingest/tests/searchIndex.test.ts",
  "test/e2e/auditLog.test.ts",
  "test/e2e/auditChain.test.ts",
  "test/e2e/federatedQueries.test.ts",
  "test/e2e/flows.test.ts",
  "test/e2e/flowsFaults.test.ts",
  "test/e2e/kpis.test.ts",
  "test/e2e/search.test.ts",
  "test/e2e/subscriptions.test.ts",
  "test/e2e/subscriptionsReplicas.test.ts",
  "test/e2e/tracing.test.ts",
  "test/e2e/tracingInstrumented.test.ts",
  "test/e2e/writes.test.ts",
];
const missing = BOTH_BACKENDS.filter((file) => !existsSync(new URL(file, import.meta.url)));
if (missing.length > 0) throw new Error(`vitest.config.ts names test files that do not exist: ${missing.join(", ")}`);

function project(name: string, include: string[], env: Record<string, string>, exclude: string[] = []): TestProjectInlineConfiguration {
  return { extends: true, test: { name, include, exclude: ["**/node_modules/**", ...exclude], env } };
}

function oneFileAtATime(config: TestProjectInlineConfiguration): TestProjectInlineConfiguration {
  return { ...config, test: { ...config.test, fileParallelism: false } };
}

export default defineConfig({
  resolve: {
    // One graphql instance for everyone: Apollo (loaded by Node) uses graphql's CommonJS entry,
    // so workspace sources must too, or `instanceof GraphQLError` fails across the two copies.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    reporters: process.env.CI ? ["default", ["json", { outputFile: process.env.CROSSDOCK_TEST_REPORT ?? "test-results/vitest.json" }]] : ["default"],
    projects: [
      project("unit", PACKAGE_TESTS, { CROSSDOCK_TEST_BACKENDS: "pglite" }, [POSTGRES_ONLY]),
      project("e2e", E2E_TESTS, { CROSSDOCK_TEST_BACKENDS: "pglite" }, [POSTGRES_ONLY]),
      project("postgres", [POSTGRES_ONLY, ...BOTH_BACKENDS], { CROSSDOCK_TEST_BACKENDS: "postgres" }, FAULT_TESTS),
      // One file at a time: a file restarts the suite's cluster, which the others' hubs run on.
      oneFileAtATime(project("faults", FAULT_TESTS, { CROSSDOCK_TEST_BACKENDS: "postgres" })),
    ],
  },
});
