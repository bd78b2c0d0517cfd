// Signed principal headers: what a subgraph accepts, including after the memo has seen a header.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/env.js";
import {
  ANONYMOUS,
  DEV_PRINCIPAL_SECRET,
  PRINCIPAL_HEADER_TTL_SECONDS,
  principalSecretFrom,
  signPrincipal,
  verifyPrincipal,
  type Principal,
} from "../src/principal.js";

const flows: Principal = { kind: "service", subject: "flows", scopes: ["*"] };

describe("signed principal headers", () => {
  it("round-trips a principal, and a header seen before verifies the same way, frozen", () => {
    const now = Date.now();
    const header = signPrincipal(flows, "secret-a", now);
    expect(signPrincipal({ ...flows }, "secret-a", now)).toBe(header);
    const first = verifyPrincipal(header, "secret-a");
    expect(first).toEqual(flows);
    expect(verifyPrincipal(header, "secret-a")).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.scopes)).toBe(true);
  });

  it("reads a header under another secret, a forged signature or a changed payload as anonymous, even after it verified once", () => {
    const header = signPrincipal(flows, "secret-a");
    expect(verifyPrincipal(header, "secret-a")).toEqual(flows);
    expect(verifyPrincipal(header, "secret-b")).toBe(ANONYMOUS);
    expect(signPrincipal(flows, "secret-b")).not.toBe(header);
    const [payload, mac] = header.split(".") as [string, string];
    expect(verifyPrincipal(`${payload}.${mac.slice(0, -2)}xx`, "secret-a")).toBe(ANONYMOUS);
    const admin = Buffer.from(JSON.stringify({ ...flows, subject: "admin" })).toString("base64url");
    expect(verifyPrincipal(`${admin}.${mac}`, "secret-a")).toBe(ANONYMOUS);
    expect(verifyPrincipal(undefined, "secret-a")).toBe(ANONYMOUS);
  });

  it("expires: a header is good for its TTL (signed per minute), then reads as anonymous, even after it verified once", () => {
    const signedAt = Date.UTC(2031, 0, 1, 12, 0, 30);
    const header = signPrincipal(flows, "secret-a", signedAt);
    expect(verifyPrincipal(header, "secret-a", signedAt)).toEqual(flows);
    // Signed within the same minute: the same header (one signature per principal and minute).
    expect(signPrincipal(flows, "secret-a", signedAt + 20_000)).toBe(header);
    const stillGood = signedAt + PRINCIPAL_HEADER_TTL_SECONDS * 1000;
    expect(verifyPrincipal(header, "secret-a", stillGood)).toEqual(flows);
    const expired = signedAt + (PRINCIPAL_HEADER_TTL_SECONDS + 2 * 60) * 1000;
    expect(verifyPrincipal(header, "secret-a", expired)).toBe(ANONYMOUS);
    // A header without an expiry (an older gateway, or a forged-but-signed one) never verifies.
    const payload = Buffer.from(JSON.stringify(flows)).toString("base64url");
    const unsignedExpiry = signPrincipal(flows, "secret-a", signedAt).replace(/^[^.]+/, payload);
    expect(verifyPrincipal(unsignedExpiry, "secret-a", signedAt)).toBe(ANONYMOUS);
  });

  it("keeps a partner's customer in the signed header", () => {
    const partner: Principal = { kind: "partner", subject: "acme-portal", scopes: ["orders:read"], customerNumber: "C-10001" };
    expect(verifyPrincipal(signPrincipal(partner, "secret-a"), "secret-a")).toEqual(partner);
  });

  it("refuses the development secret, or none, in production", () => {
    expect(principalSecretFrom({})).toEqual({ secret: DEV_PRINCIPAL_SECRET, usesDefault: true });
    expect(principalSecretFrom({ NODE_ENV: "production", CROSSDOCK_PRINCIPAL_SECRET: "own" })).toEqual({ secret: "own", usesDefault: false });
    expect(() => principalSecretFrom({ NODE_ENV: "production" })).toThrow(ConfigError);
    expect(() => principalSecretFrom({ NODE_ENV: "production", CROSSDOCK_PRINCIPAL_SECRET: DEV_PRINCIPAL_SECRET })).toThrow(ConfigError);
  });
});
