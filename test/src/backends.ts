// Which databases a run of the suites uses. The vitest projects set CROSSDOCK_TEST_BACKENDS:
// `unit` and `e2e` run on PGlite only, `postgres` on a Postgres server only; a file run on its
// own (no project) covers both, with Postgres when a server answers.
export type Backend = "pglite" | "postgres";

const ALL: readonly Backend[] = ["pglite", "postgres"];

/** The backends this run covers (CROSSDOCK_TEST_BACKENDS: "pglite", "postgres" or both, comma-separated). */
export function testBackends(env: Record<string, string | undefined> = process.env): Backend[] {
  const named = (env.CROSSDOCK_TEST_BACKENDS ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (named.length === 0) return [...ALL];
  const unknown = named.filter((name) => !ALL.includes(name as Backend));
  if (unknown.length > 0) throw new Error(`CROSSDOCK_TEST_BACKENDS names unknown backends: ${unknown.join(", ")} (use pglite, postgres)`);
  return ALL.filter((backend) => named.includes(backend));
}

/** Whether suites that can run on either database should use Postgres (only when PGlite is not in this run). */
export function preferPostgres(env: Record<string, string | undefined> = process.env): boolean {
  const backends = testBackends(env);
  if (backends.length === 1) return backends[0] === "postgres";
  // No project: the old rule, Postgres when a server is named.
  return Boolean(env.CROSSDOCK_TEST_POSTGRES_URL);
}
