// The development issuer: what `npm start` trusts when no CROSSDOCK_JWKS is configured. It owns
// one ES256 signing key (kept under the data directory, or in memory), publishes its public half
// as a JWKS for the gateway's ordinary verifier, and signs tokens with the claims a real identity
// provider would issue. Tests and benchmarks mint their callers' tokens with it as well.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK } from "jose";

export const DEV_ISSUER = "urn:crossdock:dev-issuer";
export const DEV_AUDIENCE = "crossdock";
const ALGORITHM = "ES256";

export interface TokenRequest {
  subject: string;
  scopes: readonly string[];
  /** Makes the token a partner's, confined to this customer (`customer_number`). */
  customerNumber?: string;
  /** `service` adds `client_id` = subject (a client-credentials token); `partner` needs customerNumber. Default user. */
  kind?: "user" | "service" | "partner";
  /** Seconds from now until `exp`; negative for an already expired token. Default 24 hours. */
  lifetimeSeconds?: number;
  /** Other issuer or audience than this issuer's (for tests of refusals). */
  issuer?: string;
  audience?: string;
}

export interface DevIssuer {
  issuer: string;
  audience: string;
  /** The public keys, as the gateway's verifier reads them. */
  jwks: JSONWebKeySet;
  issueToken(request: TokenRequest): Promise<string>;
}

export interface DevIssuerOptions {
  /** Where the private key is kept (created on first use); in memory when omitted. */
  keyFile?: string;
  issuer?: string;
  audience?: string;
}

export async function createDevIssuer(options: DevIssuerOptions = {}): Promise<DevIssuer> {
  const privateJwk = options.keyFile ? await loadOrCreateKey(options.keyFile) : await newPrivateJwk();
  const privateKey = (await importJWK(privateJwk, ALGORITHM)) as CryptoKey;
  const { d: _private, ...publicJwk } = privateJwk;
  const issuer = options.issuer ?? DEV_ISSUER;
  const audience = options.audience ?? DEV_AUDIENCE;
  return {
    issuer,
    audience,
    jwks: { keys: [{ ...publicJwk, use: "sig", alg: ALGORITHM }] },
    async issueToken(request) {
      if (request.kind === "partner" && !request.customerNumber) throw new Error("a partner token needs a customerNumber");
      const claims: Record<string, unknown> = { scope: request.scopes.join(" ") };
      if (request.customerNumber) claims.customer_number = request.customerNumber;
      if (request.kind === "service") claims.client_id = request.subject;
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: ALGORITHM, kid: privateJwk.kid!, typ: "JWT" })
        .setIssuer(request.issuer ?? issuer)
        .setAudience(request.audience ?? audience)
        .setSubject(request.subject)
        .setIssuedAt(now)
        .setExpirationTime(now + (request.lifetimeSeconds ?? 24 * 60 * 60))
        .sign(privateKey);
    },
  };
}

async function newPrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk) };
}

async function loadOrCreateKey(file: string): Promise<JWK> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as JWK;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const jwk = await newPrivateJwk();
  mkdirSync(dirname(file), { recursive: true });
  // Readable by its owner only: whoever holds this key can sign in as anyone on this hub.
  writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
  return jwk;
}
