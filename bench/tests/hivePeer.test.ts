// What makes the Hive peer comparable: it serves the committed supergraph pointed at the hub under
// test, and the principal header the bench hands it is the one Crossdock's gateway derives from
// the bench's own token (verified here by the gateway's token verifier and the subgraphs' check).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createTokenVerifier } from "@crossdock/gateway";
import { ANONYMOUS, PRINCIPAL_HEADER, verifyPrincipal } from "@crossdock/platform";
import { benchIdentityEnv } from "../src/support/benchIdentity.js";
import { hiveAuthConfig, type HiveJwtExports } from "../src/support/hiveAuth.js";
import { presignedBenchPrincipal, supergraphFor } from "../src/support/hivePeer.js";
import { BENCH_PRINCIPAL_SECRET, REPO_ROOT } from "../src/support/hubProcess.js";

const URLS = {
  erp: "http://127.0.0.1:5001/graphql",
  crm: "http://127.0.0.1:5002/graphql",
  wms: "http://127.0.0.1:5003/graphql",
  ops: "http://127.0.0.1:5004/graphql",
  flows: "http://127.0.0.1:5005/graphql",
};

describe("Hive peer", () => {
  it("serves the committed supergraph with every subgraph pointed at the hub under test", () => {
    const committed = readFileSync(`${REPO_ROOT}schema/supergraph.graphql`, "utf8");
    const sdl = supergraphFor(URLS);
    const graphs = [...sdl.matchAll(/@join__graph\(name: "([a-z]+)", url: "([^"]*)"\)/g)].map(([, name, url]) => [name, url]);
    expect(Object.fromEntries(graphs)).toEqual(URLS);
    expect(graphs).toHaveLength(Object.keys(URLS).length);
    // Nothing else changed: putting the committed URLs back gives the committed file.
    const committedUrls = Object.fromEntries([...committed.matchAll(/@join__graph\(name: "([a-z]+)", url: "([^"]*)"\)/g)].map(([, n, u]) => [n!, u!]));
    expect(supergraphFor(committedUrls)).toBe(committed);
  });

  it("refuses a supergraph whose subgraph the hub does not run", () => {
    const { ops: _ops, ...withoutOps } = URLS;
    expect(() => supergraphFor(withoutOps)).toThrow("no URL for subgraph ops");
  });

  it("hands Hive the principal Crossdock's gateway derives from the bench token, signed as the subgraphs verify it", async () => {
    const env = await benchIdentityEnv();
    const verify = createTokenVerifier({ jwks: env.CROSSDOCK_JWKS!, issuer: env.CROSSDOCK_JWT_ISSUER!, audience: env.CROSSDOCK_JWT_AUDIENCE! });
    const { principal: fromToken } = await verify(process.env.BENCH_AUTHORIZATION!.replace(/^Bearer /, ""));
    const header = presignedBenchPrincipal(BENCH_PRINCIPAL_SECRET)[PRINCIPAL_HEADER];
    expect(verifyPrincipal(header, BENCH_PRINCIPAL_SECRET)).toEqual(fromToken);
    // Signed with the bench hub's secret only: a subgraph with another secret reads an anonymous caller.
    expect(verifyPrincipal(header, "another-secret")).toBe(ANONYMOUS);
  });

  it("signs, in the +auth variants, the principal of the verified token's claims", async () => {
    const env = await benchIdentityEnv();
    const verify = createTokenVerifier({ jwks: env.CROSSDOCK_JWKS!, issuer: env.CROSSDOCK_JWT_ISSUER!, audience: env.CROSSDOCK_JWT_AUDIENCE! });
    const token = process.env.BENCH_AUTHORIZATION!.replace(/^Bearer /, "");
    const { principal: fromToken } = await verify(token);
    // Hive's plugins are not started here: only the header rule is, on the claims Hive's JWT plugin would put in the context.
    const unused = (() => undefined) as unknown as HiveJwtExports["useJWT"];
    const config = hiveAuthConfig(
      { useJWT: unused, createInlineSigningKeyProvider: () => undefined },
      { jwksPath: env.CROSSDOCK_JWKS!, issuer: env.CROSSDOCK_JWT_ISSUER!, audience: env.CROSSDOCK_JWT_AUDIENCE!, principalSecret: BENCH_PRINCIPAL_SECRET },
    );
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    const request = new Request("http://hive.test/graphql", { headers: { "x-request-id": "r-1" } });
    const headers = config.propagateHeaders.fromClientToSubgraphs({ request, context: { jwt: { payload: claims } } });
    expect(verifyPrincipal(headers[PRINCIPAL_HEADER], BENCH_PRINCIPAL_SECRET)).toEqual(fromToken);
    expect(headers["x-request-id"]).toBe("r-1");
    // No verified token, no principal: the subgraphs then read an anonymous caller.
    expect(config.propagateHeaders.fromClientToSubgraphs({ request, context: {} })[PRINCIPAL_HEADER]).toBeNull();
  });
});
