// The persisted query manifest in Apollo's format (what `generate-persisted-query-manifest`
// writes): checked as a whole before it is used, so a bad file is refused with its reason and
// never half-applies. Operations are found by id, and a free-form body by the id it would have.
import { createHash } from "node:crypto";

export const MANIFEST_FORMAT = "apollo-persisted-query-manifest";

export interface PersistedOperation {
  /** The sha256 (hex) of `body`: what clients send as extensions.persistedQuery.sha256Hash. */
  id: string;
  name: string;
  type: "query" | "mutation" | "subscription";
  body: string;
}

export interface PersistedOperationList {
  readonly size: number;
  byId(id: string): PersistedOperation | undefined;
  /** Whether this exact body is listed (its sha256 is an id whose body it is). */
  lists(body: string): boolean;
}

export type ManifestParseResult = { ok: true; operations: PersistedOperation[] } | { ok: false; reason: string };

const OPERATION_TYPES = new Set(["query", "mutation", "subscription"]);

export function operationId(body: string): string {
  return createHash("sha256").update(body).digest("hex");
}

export function parseManifest(text: string): ManifestParseResult {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  if (!isRecord(manifest)) return { ok: false, reason: "not a JSON object" };
  if (manifest.format !== MANIFEST_FORMAT) return { ok: false, reason: `format is ${JSON.stringify(manifest.format)}, expected "${MANIFEST_FORMAT}"` };
  if (manifest.version !== 1) return { ok: false, reason: `version is ${JSON.stringify(manifest.version)}, expected 1` };
  if (!Array.isArray(manifest.operations)) return { ok: false, reason: "operations is not an array" };
  const byId = new Map<string, PersistedOperation>();
  for (const [index, entry] of manifest.operations.entries()) {
    const where = `operations[${index}]`;
    if (!isRecord(entry)) return { ok: false, reason: `${where} is not an object` };
    const { id, name, type, body } = entry;
    if (typeof id !== "string" || !/^[0-9a-f]{64}$/.test(id)) return { ok: false, reason: `${where}.id is not a sha256 hex digest` };
    if (typeof body !== "string" || body.length === 0) return { ok: false, reason: `${where} (${id}) has no body` };
    if (typeof name !== "string") return { ok: false, reason: `${where} (${id}) has no name` };
    if (typeof type !== "string" || !OPERATION_TYPES.has(type)) return { ok: false, reason: `${where} (${id}) has type ${JSON.stringify(type)}` };
    const earlier = byId.get(id);
    if (earlier && earlier.body !== body) return { ok: false, reason: `${where}: id ${id} is listed twice with different bodies` };
    // Clients compute ids the same way; an id that is not its body's hash would run another body.
    if (operationId(body) !== id) return { ok: false, reason: `${where} (${name || id}): id is not the sha256 of its body` };
    byId.set(id, { id, name, type: type as PersistedOperation["type"], body });
  }
  return { ok: true, operations: [...byId.values()] };
}

/** One list from several manifests (an id is its body's hash, so two manifests never disagree on one). */
export function listOf(operations: Iterable<PersistedOperation>): PersistedOperationList {
  const byId = new Map<string, PersistedOperation>();
  for (const operation of operations) byId.set(operation.id, operation);
  return {
    size: byId.size,
    byId: (id) => byId.get(id),
    lists: (body) => byId.get(operationId(body))?.body === body,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
