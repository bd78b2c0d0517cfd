// Who is calling. The gateway authenticates the caller and forwards the principal to the
// subgraphs in one header; subgraphs read it into their context. This is the seam the
// security work (scopes, partners confined to their data) builds on.
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
