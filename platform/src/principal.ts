// Who is calling. The gateway authenticates the caller and forwards the principal to the
// subgraphs in one header, signed with a secret the gateway and the subgraphs share (HMAC-SHA256),
// so a caller that reaches a subgraph directly cannot claim to be someone else: an unsigned or
// forged header is read as anonymous. Subgraphs read it into their context (audit records name
// it). This is the seam the security work (scopes, partners confined to their data) builds on.
import { createHmac, timingSafeEqual } from "node:crypto";
import { ConfigError } from "./env.js";
export type PrincipalKind = "anonymous" | "user" | "service" | "partner";

export interface Principal {
  kind: PrincipalKind;
  subject: string;
  scopes: string[];
  /** For partner principals: the only customer whose data they may see. */
  customerNumber?: string;
}

export const PRINCIPAL_HEADER = "x-crossdock-principal";
export const REQUEST_ID_HEADER = "x-request-id";

export const ANONYMOUS: Principal = Object.freeze({ kind: "anonymous", subject: "anonymous", scopes: [] }) as Principal;

export function encodePrincipal(principal: Principal): string {
  return Buffer.from(JSON.stringify(principal), "utf8").toString("base64url");
}

/**
 * The shared signing secret: CROSSDOCK_PRINCIPAL_SECRET, or a well-known development default.
 * With NODE_ENV=production the default (missing, or set to the public value) is refused: anyone
 * who knows it could sign any principal, so a service must not start with it.
 */
export const DEV_PRINCIPAL_SECRET = "crossdock-dev-principal-secret";

export function principalSecretFrom(env: Record<string, string | undefined>): { secret: string; usesDefault: boolean } {
  const configured = env.CROSSDOCK_PRINCIPAL_SECRET;
  if (env.NODE_ENV === "production" && (!configured || configured === DEV_PRINCIPAL_SECRET)) {
    throw new ConfigError("CROSSDOCK_PRINCIPAL_SECRET must be set to a secret of its own when NODE_ENV=production");
  }
  return configured ? { secret: configured, usesDefault: false } : { secret: DEV_PRINCIPAL_SECRET, usesDefault: true };
}

function signature(payload: string, secret: string): string {
  return createHmac("sha256", secret).update(payload).digest("base64url");
}

/**
 * The same few principals sign and verify again and again (the flows' service principal, the users
 * of the moment), and a header depends only on the principal and the secret, so both directions are
 * remembered, up to MEMO_LIMIT entries each (oldest out first). Only verified headers are kept.
 */
const MEMO_LIMIT = 1000;
const signedHeaders = new Map<string, string>();
const verifiedHeaders = new Map<string, { principal: Principal; exp: number }>();

function remember<V>(memo: Map<string, V>, key: string, value: V): V {
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
  memo.set(key, value);
  return value;
}

/**
 * How long a signed header is good for. A header seen on the wire (a log, a proxy) cannot be
 * replayed for longer than this. Headers are signed per minute (the expiry rounded up to the
 * next minute), so the gateway signs each principal once a minute, not once per call.
 */
export const PRINCIPAL_HEADER_TTL_SECONDS = 15 * 60;
const SIGNING_WINDOW_SECONDS = 60;

/** The header value the gateway sends: `<principal with exp>.<signature>`. */
export function signPrincipal(principal: Principal, secret: string, nowMs: number = Date.now()): string {
  const window = Math.floor(nowMs / 1000 / SIGNING_WINDOW_SECONDS);
  const exp = (window + 1) * SIGNING_WINDOW_SECONDS + PRINCIPAL_HEADER_TTL_SECONDS;
  const json = JSON.stringify({ ...principal, exp });
  const key = `${secret}\0${json}`;
  const known = signedHeaders.get(key);
  if (known !== undefined) return known;
  const payload = Buffer.from(json, "utf8").toString("base64url");
  return remember(signedHeaders, key, `${payload}.${signature(payload, secret)}`);
}

/** The principal of a signed header; anonymous when it is missing, unsigned, forged, expired or unreadable. */
export function verifyPrincipal(header: string | undefined | null, secret: string, nowMs: number = Date.now()): Principal {
  if (!header) return ANONYMOUS;
  const key = `${secret}\0${header}`;
  const known = verifiedHeaders.get(key);
  if (known !== undefined) return known.exp * 1000 > nowMs ? known.principal : ANONYMOUS;
  const dot = header.lastIndexOf(".");
  if (dot <= 0) return ANONYMOUS;
  const payload = header.slice(0, dot);
  const offered = Buffer.from(header.slice(dot + 1));
  const expected = Buffer.from(signature(payload, secret));
  if (offered.length !== expected.length || !timingSafeEqual(offered, expected)) return ANONYMOUS;
  const exp = expiryOf(payload);
  if (exp === undefined || exp * 1000 <= nowMs) return ANONYMOUS;
  const principal = decodePrincipal(payload);
  // Shared by every request that carries this header: frozen, so no request can change another's caller.
  Object.freeze(principal.scopes);
  return remember(verifiedHeaders, key, { principal: Object.freeze(principal), exp }).principal;
}

/** The signed header's `exp` (epoch seconds); a header without one never verifies. */
function expiryOf(payload: string): number | undefined {
  try {
    const exp = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown }).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}

export function decodePrincipal(header: string | undefined | null): Principal {
  if (!header) return ANONYMOUS;
  try {
    const value = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as Partial<Principal>;
    if (typeof value.subject === "string" && typeof value.kind === "string" && Array.isArray(value.scopes)) {
      return {
        kind: value.kind,
        subject: value.subject,
        scopes: value.scopes.filter((s): s is string => typeof s === "string"),
        ...(typeof value.customerNumber === "string" ? { customerNumber: value.customerNumber } : {}),
      };
    }
  } catch {
    // an unreadable header is treated as no principal at all
  }
  return ANONYMOUS;
}
