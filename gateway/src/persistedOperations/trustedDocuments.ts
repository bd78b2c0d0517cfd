// The one decision every transport makes before an operation is parsed: which body runs (an id
// from Apollo's persistedQuery extension is swapped for its listed body) and whether a free-form
// body may run at all under the safelist mode. Callers holding graph:explore (Sandbox) are exempt.
// Unlisted operations are logged and counted in log and enforce modes.
import type { GraphQLError } from "graphql";
import { Counter, hasScope, Scope, type Logger, type Principal, type Registry } from "@crossdock/platform";
import { crossdockError, ErrorCode } from "@crossdock/schema";
import type { SafelistMode } from "../config.js";
import { operationId, type PersistedOperationList } from "./manifest.js";

export type Transport = "http" | "ws" | "sse";

export interface OperationRequest {
  query?: string | undefined;
  extensions?: Readonly<Record<string, unknown>> | null | undefined;
  operationName?: string | null | undefined;
}

/** `query` is the body to run; undefined when the request carried none (the transport answers that). */
export type Admission = { ok: true; query: string | undefined } | { ok: false; error: GraphQLError };

export interface TrustedDocuments {
  readonly mode: SafelistMode;
  admit(request: OperationRequest, principal: Principal, transport: Transport): Admission;
}

export interface TrustedDocumentsOptions {
  mode: SafelistMode;
  operations: () => PersistedOperationList;
  logger: Logger;
  registry: Registry;
}

/** Client-chosen text in logs is cut short (an operation name is not bounded otherwise). */
const MAX_LOGGED_NAME = 120;

export function createTrustedDocuments(options: TrustedDocumentsOptions): TrustedDocuments {
  const { mode, logger } = options;
  const unlisted = new Counter({
    name: "crossdock_unlisted_operations_total",
    help: "Free-form operations not in the persisted operation manifest, by what happened to them (ran, refused, explorer)",
    labelNames: ["outcome", "transport"],
    registers: [options.registry],
  });

  const admitFreeForm = (query: string, request: OperationRequest, principal: Principal, transport: Transport): Admission => {
    if (mode === "off" || options.operations().lists(query)) return { ok: true, query };
    const seen = {
      id: operationId(query),
      operationName: request.operationName?.slice(0, MAX_LOGGED_NAME) ?? null,
      subject: principal.subject ?? null,
      transport,
      mode,
    };
    if (hasScope(principal, Scope.GRAPH_EXPLORE)) {
      unlisted.inc({ outcome: "explorer", transport });
      logger.debug(seen, "unlisted operation from an explorer (graph:explore)");
      return { ok: true, query };
    }
    if (mode === "log") {
      unlisted.inc({ outcome: "ran", transport });
      logger.warn(seen, "unlisted operation ran (CROSSDOCK_SAFELIST=log)");
      return { ok: true, query };
    }
    unlisted.inc({ outcome: "refused", transport });
    logger.info(seen, "unlisted operation refused");
    return {
      ok: false,
      error: crossdockError(ErrorCode.PERSISTED_QUERY_NOT_IN_LIST, "This operation is not among the gateway's trusted documents; send a listed operation"),
    };
  };

  return {
    mode,
    admit(request, principal, transport) {
      const persisted = request.extensions?.persistedQuery;
      const query = request.query === "" ? undefined : request.query;
      if (persisted === undefined || persisted === null) return query === undefined ? { ok: true, query } : admitFreeForm(query, request, principal, transport);
      const { version, sha256Hash } = (typeof persisted === "object" ? persisted : {}) as { version?: unknown; sha256Hash?: unknown };
      if (version !== 1) return refuse("Unsupported persisted query version (expected 1)");
      if (typeof sha256Hash !== "string") return refuse("extensions.persistedQuery.sha256Hash must be a string");
      if (query === undefined) {
        const listed = options.operations().byId(sha256Hash);
        if (!listed) return { ok: false, error: crossdockError(ErrorCode.PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound") };
        return { ok: true, query: listed.body };
      }
      // A body with its hash (Apollo Client's retry after PERSISTED_QUERY_NOT_FOUND) is free-form.
      if (operationId(query) !== sha256Hash) return refuse("provided sha does not match query");
      return admitFreeForm(query, request, principal, transport);
    },
  };
}

function refuse(message: string): Admission {
  return { ok: false, error: crossdockError(ErrorCode.BAD_USER_INPUT, message) };
}
