// The hub's identity as a new user meets it (`npm start` without CROSSDOCK_JWKS): its own issuer,
// demo tokens per role in <data dir>/demo-tokens.json, Sandbox opening as the analyst, forged
// tokens refused; and the cross-site attack of the issue — a credit limit set through a GET or an
// EventSource (SSE) — refused with nothing written.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHub, DEMO_ROLES, type RunningHub } from "@crossdock/launcher";
import { ROLE_SCOPES } from "@crossdock/platform";
import { authenticateHub, bearer, forgetHub, graphql, graphqlData } from "../src/index.js";

const ANY_PORTS = { erp: 0, crm: 0, wms: 0, ops: 0, flows: 0 };

describe("hub identity (development issuer)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "crossdock-identity-"));
  let hub: RunningHub;
  let token: string;
  beforeAll(async () => {
    const env = { ...process.env, LOG_LEVEL: "warn", NODE_ENV: "development", FLOWS_ENABLED: "0" };
    hub = await startHub({ port: 0, subgraphPorts: ANY_PORTS, dataDir, seedScale: 0.02, simulate: false, env });
    token = await authenticateHub(hub);
  }, 180_000);
  afterAll(async () => {
    if (hub) forgetHub(hub);
    await hub?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("writes a token per demo role to demo-tokens.json, the partner's confined to a real customer", async () => {
    const written = JSON.parse(readFileSync(join(dataDir, "demo-tokens.json"), "utf8")) as {
      issuer: string;
      expiresAt: string;
      tokens: Record<string, { subject: string; scopes: string[]; customerNumber?: string; token: string }>;
    };
    expect(Object.keys(written.tokens).sort()).toEqual([...DEMO_ROLES].sort());
    expect(written.tokens.analyst!.scopes).toEqual([...ROLE_SCOPES.analyst]);
    expect(new Date(written.expiresAt).getTime()).toBeGreaterThan(Date.now() + 12 * 3600_000);
    // Only the owner may read the tokens and the signing key.
    expect(statSync(join(dataDir, "demo-tokens.json")).mode & 0o077).toBe(0);
    expect(statSync(join(dataDir, "identity", "dev-signing-key.json")).mode & 0o077).toBe(0);
    const partner = written.tokens.partner!;
    const { customer } = await graphqlData<{ customer: { customerNumber: string } | null }>(
      hub.url,
      `query($c: ID!) { customer(customerNumber: $c) { customerNumber } }`,
      { c: partner.customerNumber },
    );
    expect(customer?.customerNumber).toBe(partner.customerNumber);
    // Every printed token is accepted by the gateway.
    for (const demo of Object.values(written.tokens)) {
      const answer = await graphql(
        hub.url,
        `
          {
            __typename
          }
        `,
        {},
        bearer(demo.token),
      );
      expect(answer.status).toBe(200);
    }
  });

  it("opens Sandbox with the analyst's token", async () => {
    const page = await (await fetch(hub.url, { headers: { accept: "text/html" } })).text();
    expect(page).toContain(`Bearer ${hub.identity!.demoTokens.analyst!.token}`);
  });

  it("refuses a token from another issuer's key with 401 UNAUTHENTICATED", async () => {
    const { createDevIssuer } = await import("@crossdock/gateway");
    const stranger = await createDevIssuer({ issuer: hub.identity!.issuer, audience: hub.identity!.audience });
    const forged = await stranger.issueToken({ subject: "mallory", scopes: [...ROLE_SCOPES.finance] });
    const answer = await graphql(
      hub.url,
      `
        {
          __typename
        }
      `,
      {},
      bearer(forged),
    );
    expect(answer.status).toBe(401);
    expect(answer.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("sets no credit limit through a GET or an EventSource (SSE), with or without a token", async () => {
    const { customers } = await graphqlData<{ customers: { edges: { node: { customerNumber: string; creditLimit: string } }[] } }>(
      hub.url,
      `{ customers(first: 1) { edges { node { customerNumber creditLimit } } } }`,
    );
    const { customerNumber, creditLimit } = customers.edges[0]!.node;
    const attack = `${hub.url}?query=${encodeURIComponent(`mutation { setCreditLimit(customerNumber: "${customerNumber}", creditLimit: "1") { creditLimit } }`)}`;
    const plainGet = await fetch(attack);
    expect(plainGet.status).toBe(405);
    const eventSource = await fetch(attack, { headers: { accept: "text/event-stream" } });
    expect(await eventSource.text()).toContain("BAD_REQUEST");
    const withToken = await fetch(attack, { headers: { accept: "text/event-stream", ...bearer(token) } });
    expect(await withToken.text()).toContain("BAD_REQUEST");
    await hub.drainCapture();
    const after = await graphqlData<{ customer: { creditLimit: string } }>(hub.url, `query($c: ID!) { customer(customerNumber: $c) { creditLimit } }`, {
      c: customerNumber,
    });
    expect(after.customer.creditLimit).toBe(creditLimit);
  });
});
