// Verifies bearer JWTs with jose: the signature against the configured key set (a JWKS URL,
// fetched and cached and fetched again when a token names an unknown key; a JWKS file; or the
// development issuer's keys), the issuer and audience, exp/nbf with a small clock tolerance, and
// only asymmetric algorithms. A rejection carries its reason for the log, never for the caller.
import { readFileSync } from "node:fs";
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import type { Principal } from "@crossdock/platform";
import { principalFromClaims, type CrossdockClaims } from "./claims.js";

/** RS256, ES256 and EdDSA only: no `none`, no HMAC (a shared secret would let any holder mint tokens). */
export const ACCEPTED_ALGORITHMS = ["RS256", "ES256", "EdDSA"] as const;

export interface TokenVerifierOptions {
  /** A JWKS URL (http or https), a path to a JWKS file, or the key set itself (the development issuer). */
  jwks: string | JSONWebKeySet;
  issuer: string;
  audience: string;
  clockToleranceSeconds?: number;
  /** A JWKS URL is fetched again for an unknown `kid` at most this often (default 30 s). */
  jwksCooldownMs?: number;
}

export interface VerifiedToken {
  principal: Principal;
  /** When the token expires, in epoch milliseconds: open WebSockets are closed then. */
  expiresAt: number;
}

/** A token that does not verify; `reason` goes to the log only. */
export class TokenRejected extends Error {
  constructor(readonly reason: string) {
    super("invalid token");
  }
}

export type TokenVerifier = (token: string) => Promise<VerifiedToken>;

/** Verified tokens remembered (a client sends the same token again and again), oldest out first. */
const MEMO_LIMIT = 1000;
/** A remembered verification is trusted this long before the signature is checked again (key rotation). */
const MEMO_TTL_MS = 60_000;

export function keySetFrom(jwks: string | JSONWebKeySet, cooldownMs = 30_000): JWTVerifyGetKey {
  if (typeof jwks !== "string") return createLocalJWKSet(jwks);
  if (/^https?:\/\//i.test(jwks)) {
    const url = new URL(jwks);
    // Keys fetched in the clear could be swapped by anyone on the path: https only, but for this machine.
    if (url.protocol === "http:" && !["localhost", "127.0.0.1", "[::1]"].includes(url.hostname)) {
      throw new Error(`CROSSDOCK_JWKS must be an https URL (or a file); ${url.origin} would let anyone on the network path swap the keys`);
    }
    // jose caches the set, and fetches it again for an unknown `kid` (at most once per cooldown).
    return createRemoteJWKSet(url, { cacheMaxAge: 10 * 60_000, cooldownDuration: cooldownMs, timeoutDuration: 5_000 });
  }
  const parsed = JSON.parse(readFileSync(jwks, "utf8")) as JSONWebKeySet;
  if (!parsed || !Array.isArray(parsed.keys)) throw new Error(`CROSSDOCK_JWKS file ${jwks} is not a JWKS ({ "keys": [...] })`);
  return createLocalJWKSet(parsed);
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keys = keySetFrom(options.jwks, options.jwksCooldownMs);
  const clockTolerance = options.clockToleranceSeconds ?? 30;
  const memo = new Map<string, VerifiedToken & { checkedAt: number }>();
  return async (token) => {
    const now = Date.now();
    const known = memo.get(token);
    if (known && known.expiresAt + clockTolerance * 1000 > now && known.checkedAt + MEMO_TTL_MS > now) return known;
    if (known) memo.delete(token);
    let payload: CrossdockClaims;
    try {
      ({ payload } = await jwtVerify<CrossdockClaims>(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: [...ACCEPTED_ALGORITHMS],
        clockTolerance,
        // A token without an expiry would be valid forever; one without a subject names no one.
        requiredClaims: ["sub", "exp"],
      }));
    } catch (error) {
      throw new TokenRejected(reasonOf(error));
    }
    // Shared by every request that presents this token: frozen, so no request can change another's caller.
    const principal = principalFromClaims(payload);
    Object.freeze(principal.scopes);
    const verified = { principal: Object.freeze(principal), expiresAt: payload.exp! * 1000, checkedAt: now };
    if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
    memo.set(token, verified);
    return verified;
  };
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTClaimValidationFailed) return `${error.code}: ${error.claim} ${error.reason}`;
  if (error instanceof errors.JOSEError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
