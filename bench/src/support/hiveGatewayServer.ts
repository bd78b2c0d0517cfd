// Hive Gateway as a peer for `bench:gateway --peer hive`: its own process (so its CPU is its own),
// serving the committed supergraph with the subgraph URLs of the hub under test. By default it has
// no authentication: it forwards the caller's pre-signed Crossdock principal header to the
// subgraphs; HIVE_AUTH=1 verifies the caller's JWT and enforces scopes instead (hiveAuth.ts).
// HIVE_PLANNER=rust plans with the Rust query planner (@graphql-hive/router-runtime).
import { readFileSync } from "node:fs";
import { createServer, type RequestListener } from "node:http";
import { PRINCIPAL_HEADER, REQUEST_ID_HEADER } from "@crossdock/platform";
import { hiveAuthConfig, type HiveJwtExports } from "./hiveAuth.js";

/**
 * The part of Hive's API used here. Its packages are loaded by a name the type checker does not
 * follow: graphql-yoga's typings widen graphql's GraphQLErrorExtensions globally in a way that
 * clashes with Apollo Server's, and this program also checks the gateway's sources.
 */
interface HiveRuntime extends RequestListener {
  dispose(): Promise<void> | void;
}
interface HiveGatewayModule extends HiveJwtExports {
  createGatewayRuntime(config: {
    supergraph: string;
    unifiedGraphHandler?: unknown;
    logging: string;
    landingPage: boolean;
    graphiql: boolean;
    propagateHeaders: object;
    plugins?: () => unknown[];
    genericAuth?: object;
  }): HiveRuntime;
}
const HIVE_GATEWAY: string = "@graphql-hive/gateway";
const HIVE_ROUTER_RUNTIME: string = "@graphql-hive/router-runtime";

/** Headers the subgraphs read their caller and request id from; everything else stays at the gateway. */
const FORWARDED = [PRINCIPAL_HEADER, REQUEST_ID_HEADER];

async function main(): Promise<void> {
  const supergraph = readFileSync(process.env.HIVE_SUPERGRAPH_PATH!, "utf8");
  const rust = process.env.HIVE_PLANNER === "rust";
  // Loaded only for the Rust variant: if its native planner cannot load here, only that variant fails.
  const unifiedGraphHandler = rust ? ((await import(HIVE_ROUTER_RUNTIME)) as { unifiedGraphHandler: unknown }).unifiedGraphHandler : undefined;
  const hive = (await import(HIVE_GATEWAY)) as HiveGatewayModule;
  const auth =
    process.env.HIVE_AUTH === "1"
      ? hiveAuthConfig(hive, {
          jwksPath: process.env.CROSSDOCK_JWKS!,
          issuer: process.env.CROSSDOCK_JWT_ISSUER!,
          audience: process.env.CROSSDOCK_JWT_AUDIENCE!,
          principalSecret: process.env.CROSSDOCK_PRINCIPAL_SECRET!,
        })
      : undefined;
  const gateway = hive.createGatewayRuntime({
    supergraph,
    ...(unifiedGraphHandler ? { unifiedGraphHandler } : {}),
    logging: "warn",
    // Off, as Crossdock's gateway has them off in production: no landing page or GraphiQL.
    landingPage: false,
    graphiql: false,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }: { request: Request }) => Object.fromEntries(FORWARDED.map((name) => [name, request.headers.get(name)])),
    },
    ...auth,
  });
  const server = createServer(gateway);
  server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
    const { port } = server.address() as { port: number };
    // The bench waits for this line.
    console.log(`hive gateway ready on ${port}`);
  });
  process.once("SIGTERM", () => {
    server.close();
    void Promise.resolve(gateway.dispose()).finally(() => process.exit(0));
  });
}

await main();
