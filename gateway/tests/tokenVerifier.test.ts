// The token verifier against key sets as an identity provider publishes them: a JWKS URL on a
// real HTTP server (fetched once, cached, fetched again when a token names a key it has not
// seen: key rotation) and a JWKS file. Claims become principals by the documented rule.
import http from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JSONWebKeySet } from "jose";
import { createDevIssuer, createTokenVerifier, type DevIssuer } from "../src/server.js";
import { TokenRejected } from "../src/identity/tokenVerifier.js";

const ISSUER = "https://idp.example/";
const AUDIENCE = "crossdock";
let published: JSONWebKeySet = { keys: [] };
let fetches = 0;
let server: http.Server;
let jwksUrl: string;
let first: DevIssuer;
let rotated: DevIssuer;

beforeAll(async () => {
  first = await createDevIssuer({ issuer: ISSUER, audience: AUDIENCE });
  rotated = await createDevIssuer({ issuer: ISSUER, audience: AUDIENCE });
  published = first.jwks;
  server = http.createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(published));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("token verifier", () => {
  it("fetches a JWKS URL once, and again when a token names a new key", async () => {
    const verify = createTokenVerifier({ jwks: jwksUrl, issuer: ISSUER, audience: AUDIENCE, jwksCooldownMs: 0 });
    for (let i = 0; i < 3; i++) {
      const token = await first.issueToken({ subject: `user-${i}`, scopes: ["orders:read"] });
      expect((await verify(token)).principal).toEqual({ kind: "user", subject: `user-${i}`, scopes: ["orders:read"] });
    }
    expect(fetches).toBe(1);
    // The provider rotates: a token signed with the new key is accepted after one more fetch.
    published = { keys: [...first.jwks.keys, ...rotated.jwks.keys] };
    const fresh = await rotated.issueToken({ subject: "after-rotation", scopes: [] });
    expect((await verify(fresh)).principal.subject).toBe("after-rotation");
    expect(fetches).toBe(2);
    // A key the provider never published stays refused.
    const stranger = await (await createDevIssuer({ issuer: ISSUER, audience: AUDIENCE })).issueToken({ subject: "x", scopes: [] });
    await expect(verify(stranger)).rejects.toBeInstanceOf(TokenRejected);
  });

  it("reads a JWKS file, and tells the reason of a refusal to the log only", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crossdock-jwks-"));
    try {
      const file = join(dir, "jwks.json");
      writeFileSync(file, JSON.stringify(first.jwks));
      const verify = createTokenVerifier({ jwks: file, issuer: ISSUER, audience: AUDIENCE });
      const token = await first.issueToken({ subject: "p", scopes: ["orders:read", "orders:read"], kind: "partner", customerNumber: "C-1" });
      const verified = await verify(token);
      expect(verified.principal).toEqual({ kind: "partner", subject: "p", scopes: ["orders:read"], customerNumber: "C-1" });
      expect(verified.expiresAt).toBeGreaterThan(Date.now());
      const expired = await first.issueToken({ subject: "p", scopes: [], lifetimeSeconds: -60 });
      const refusal = await verify(expired).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(TokenRejected);
      expect((refusal as TokenRejected).reason).toMatch(/ERR_JWT_EXPIRED/);
      expect((refusal as TokenRejected).message).toBe("invalid token");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("accepts a token within the 30 s clock tolerance and refuses one beyond it", async () => {
    const verify = createTokenVerifier({ jwks: first.jwks, issuer: ISSUER, audience: AUDIENCE });
    await expect(verify(await first.issueToken({ subject: "a", scopes: [], lifetimeSeconds: -10 }))).resolves.toBeDefined();
    await expect(verify(await first.issueToken({ subject: "a", scopes: [], lifetimeSeconds: -45 }))).rejects.toBeInstanceOf(TokenRejected);
  });

  it("refuses a JWKS URL in the clear unless it is on this machine", () => {
    expect(() => createTokenVerifier({ jwks: "http://idp.example/jwks.json", issuer: ISSUER, audience: AUDIENCE })).toThrow(/https/);
    expect(() => createTokenVerifier({ jwks: "https://idp.example/jwks.json", issuer: ISSUER, audience: AUDIENCE })).not.toThrow();
    expect(() => createTokenVerifier({ jwks: jwksUrl, issuer: ISSUER, audience: AUDIENCE })).not.toThrow();
  });
});
