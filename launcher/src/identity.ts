// The embedded hub's identity in development: without CROSSDOCK_JWKS the hub is its own token
// issuer (the gateway's development issuer, key kept under the data dir) and hands out a
// ready-made token per demo role, printed at start and written to <data dir>/demo-tokens.json.
// With CROSSDOCK_JWKS the hub trusts that issuer instead and mints nothing.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createDevIssuer, type DevIssuer } from "@crossdock/gateway";
import { ROLE_SCOPES, type RoleName } from "@crossdock/platform";

/** The roles a person plays (the service roles get their own credentials). */
export const DEMO_ROLES = ["analyst", "serviceDesk", "warehouse", "finance", "opsAdmin", "partner"] as const satisfies readonly RoleName[];
export type DemoRole = (typeof DEMO_ROLES)[number];

/** Long enough for a working day and then some; a new set is minted at every start. */
export const DEMO_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

export interface DemoToken {
  subject: string;
  scopes: string[];
  customerNumber?: string;
  token: string;
}

export interface HubIdentity extends DevIssuer {
  /** One token per demo role; `partner` only when the hub has a customer to confine it to. */
  demoTokens: Partial<Record<DemoRole, DemoToken>>;
}

export async function createHubIssuer(dataDir: string): Promise<DevIssuer> {
  return createDevIssuer(dataDir === "memory" ? {} : { keyFile: join(dataDir, "identity", "dev-signing-key.json") });
}

export async function issueDemoToken(issuer: DevIssuer, role: DemoRole, customerNumber?: string): Promise<DemoToken> {
  const subject = `demo-${role}`;
  const scopes = [...ROLE_SCOPES[role]];
  const token = await issuer.issueToken({
    subject,
    scopes,
    lifetimeSeconds: DEMO_TOKEN_LIFETIME_SECONDS,
    ...(role === "partner" ? { kind: "partner" as const, customerNumber } : {}),
  });
  return { subject, scopes, ...(role === "partner" ? { customerNumber } : {}), token };
}

/** Every demo role's token; the partner's is confined to `partnerCustomer` (skipped without one). */
export async function issueDemoTokens(issuer: DevIssuer, partnerCustomer: string | undefined): Promise<Partial<Record<DemoRole, DemoToken>>> {
  const tokens: Partial<Record<DemoRole, DemoToken>> = {};
  for (const role of DEMO_ROLES) {
    if (role === "partner" && !partnerCustomer) continue;
    tokens[role] = await issueDemoToken(issuer, role, partnerCustomer);
  }
  return tokens;
}

/** `<data dir>/demo-tokens.json`, readable by its owner only (the tokens are credentials). */
export function writeDemoTokens(dataDir: string, identity: HubIdentity): string | undefined {
  if (dataDir === "memory") return undefined;
  const file = join(dataDir, "demo-tokens.json");
  const expiresAt = new Date(Date.now() + DEMO_TOKEN_LIFETIME_SECONDS * 1000).toISOString();
  writeFileSync(file, JSON.stringify({ issuer: identity.issuer, audience: identity.audience, expiresAt, tokens: identity.demoTokens }, null, 2), {
    mode: 0o600,
  });
  return file;
}

/**
 * The simulator's credential: a client-credentials token of its own (`simulator`, the
 * simulatorService scopes), minted again before it runs out.
 */
export function simulatorCredential(issuer: DevIssuer): () => Promise<string> {
  let current: { token: string; renewAt: number } | undefined;
  return async () => {
    if (!current || Date.now() >= current.renewAt) {
      const token = await issuer.issueToken({ subject: "simulator", kind: "service", scopes: [...ROLE_SCOPES.simulatorService], lifetimeSeconds: 3600 });
      current = { token, renewAt: Date.now() + 30 * 60_000 };
    }
    return current.token;
  };
}
