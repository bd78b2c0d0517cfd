// Postgres for the test suites: a fresh database per suite on the server named by
// CROSSDOCK_TEST_POSTGRES_URL (default: the local server). When CROSSDOCK_REQUIRE_POSTGRES=1
// (CI) a missing server fails the suite instead of skipping it.
import { randomBytes } from "node:crypto";
import pg from "pg";

const DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

export const postgresRequired = process.env.CROSSDOCK_REQUIRE_POSTGRES === "1";
export const postgresAdminUrl = process.env.CROSSDOCK_TEST_POSTGRES_URL ?? DEFAULT_URL;

let available: Promise<boolean> | undefined;

/** Whether the Postgres suites should run: reachable, or required (then they fail loudly). */
export function postgresAvailable(): Promise<boolean> {
  available ??= (async () => {
    const client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch (error) {
      if (postgresRequired) throw new Error(`Postgres is required (CROSSDOCK_REQUIRE_POSTGRES=1) but ${postgresAdminUrl} is not reachable: ${String(error)}`);
      return false;
    }
  })();
  return available;
}

/** Creates fresh, empty databases and returns their URLs plus a function that drops them. */
export async function createTestDatabases<K extends string>(
  names: readonly K[],
  adminUrl: string = postgresAdminUrl,
): Promise<{ urls: Record<K, string>; drop(): Promise<void> }> {
  const suffix = randomBytes(4).toString("hex");
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const urls = {} as Record<K, string>;
  const created: string[] = [];
  try {
    for (const name of names) {
      const database = `crossdock_test_${name}_${suffix}`;
      await admin.query(`CREATE DATABASE "${database}"`);
      created.push(database);
      const url = new URL(adminUrl);
      url.pathname = `/${database}`;
      urls[name] = url.toString();
    }
  } finally {
    await admin.end();
  }
  return {
    urls,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      for (const database of created) {
        // A logical replication slot pins its database; drop the slots first.
        await client
          .query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1 AND NOT active`, [database])
          .catch(() => undefined);
        await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
      }
      await client.end();
    },
  };
}
