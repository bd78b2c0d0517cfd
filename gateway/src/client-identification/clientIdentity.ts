// Who the calling application is, by Apollo's convention: the `apollographql-client-name` and
// `apollographql-client-version` headers. Only for labels (metrics, logs); never for access,
// since any caller can send any name. Labels are bounded: odd values and names past the cap
// read as "other", so a caller cannot grow the metrics without end.
import type { IncomingHttpHeaders } from "node:http";

export const CLIENT_NAME_HEADER = "apollographql-client-name";
export const CLIENT_VERSION_HEADER = "apollographql-client-version";

export interface ClientIdentity {
  name: string;
  version: string;
}

export const UNKNOWN_CLIENT: ClientIdentity = Object.freeze({ name: "unknown", version: "unknown" });

const LABEL = /^[\w.@/:+-][\w .@/:+-]{0,63}$/;

/** Bounded label values: the first `limit` distinct well-formed values, then "other". */
function labeler(limit: number): (value: string | undefined) => string {
  const seen = new Set<string>();
  return (value) => {
    if (!value) return "unknown";
    if (seen.has(value)) return value;
    if (!LABEL.test(value) || seen.size >= limit) return "other";
    seen.add(value);
    return value;
  };
}

export interface ClientIdentifierOptions {
  /** Distinct client names kept as labels. */
  maxClients?: number;
  /** Distinct client versions kept as labels (over all clients). */
  maxVersions?: number;
}

export function createClientIdentifier(options: ClientIdentifierOptions = {}): (headers: IncomingHttpHeaders) => ClientIdentity {
  const name = labeler(options.maxClients ?? 50);
  const version = labeler(options.maxVersions ?? 200);
  const header = (headers: IncomingHttpHeaders, key: string) => {
    const value = headers[key];
    return (Array.isArray(value) ? value[0] : value)?.trim();
  };
  return (headers) => {
    const clientName = header(headers, CLIENT_NAME_HEADER);
    const clientVersion = header(headers, CLIENT_VERSION_HEADER);
    if (!clientName && !clientVersion) return UNKNOWN_CLIENT;
    return { name: name(clientName), version: version(clientVersion) };
  };
}
