// Coalesces `_entities` fetches of concurrent operations. Under load many client operations
// hit the same query plan at once, and each would send its own `_entities` call to the same
// subgraph: one HTTP request, one GraphQL execution and one SQL statement per loader, per
// operation. Calls with the same document, the same other variables and the same caller that
// are issued in one event-loop turn are sent as one call whose representations are the
// concatenation of theirs, exactly as the query planner batches the entities of a single
// operation; the answer is split back by position, errors included. When a merged call fails
// as a whole, each operation's call is sent again alone, so one operation's bad entity never
// fails another. A lone call waits for nothing but the end of the current turn (setImmediate).
import type { GraphQLFormattedError } from "graphql";

export interface EntityCall {
  /** Calls sharing a key may be merged: document, non-representation variables, caller. */
  key: string;
  representations: readonly unknown[];
}

export interface EntityResponse {
  data?: Record<string, unknown> | null;
  errors?: ReadonlyArray<GraphQLFormattedError>;
  extensions?: Record<string, unknown>;
}

interface Member<TCall extends EntityCall> {
  call: TCall;
  offset: number;
  resolve(response: EntityResponse): void;
  reject(error: unknown): void;
}

interface Batch<TCall extends EntityCall> {
  members: Member<TCall>[];
  size: number;
}

/** True for the planner's entity fetches: `_entities(representations: $representations)`. */
export function isEntitiesFetch(query: string | undefined, variables: Record<string, unknown> | undefined): boolean {
  return query !== undefined && Array.isArray(variables?.representations) && /\b_entities\s*\(\s*representations\s*:\s*\$representations\s*\)/.test(query);
}

export class EntityFetchCoalescer<TCall extends EntityCall> {
  private readonly open = new Map<string, Batch<TCall>>();

  /**
   * @param send sends one merged call for the given calls (all with the same key) with all their representations.
   * @param maxRepresentations a batch is sent once it holds this many representations.
   */
  constructor(
    private readonly send: (calls: readonly TCall[], representations: unknown[]) => Promise<EntityResponse>,
    private readonly maxRepresentations = 1000,
  ) {}

  fetch(call: TCall): Promise<EntityResponse> {
    return new Promise<EntityResponse>((resolve, reject) => {
      let batch = this.open.get(call.key);
      if (batch && batch.size + call.representations.length > this.maxRepresentations) {
        this.flush(call.key, batch);
        batch = undefined;
      }
      if (!batch) {
        const created: Batch<TCall> = { members: [], size: 0 };
        this.open.set(call.key, created);
        setImmediate(() => this.flush(call.key, created));
        batch = created;
      }
      batch.members.push({ call, offset: batch.size, resolve, reject });
      batch.size += call.representations.length;
    });
  }

  private flush(key: string, batch: Batch<TCall>): void {
    if (this.open.get(key) === batch) this.open.delete(key);
    if (batch.members.length === 0) return;
    const members = batch.members.splice(0);
    const calls = members.map((member) => member.call);
    if (members.length === 1) {
      const only = members[0]!;
      this.send(calls, [...only.call.representations]).then(only.resolve, only.reject);
      return;
    }
    const representations = members.flatMap((member) => member.call.representations);
    this.send(calls, representations).then(
      (response) => {
        if (!Array.isArray(response.data?.["_entities"])) return this.sendAlone(members);
        for (const member of members) member.resolve(sliceResponse(response, member.offset, member.call.representations.length));
      },
      () => this.sendAlone(members),
    );
  }

  /**
   * A merged call failed as a whole (the subgraph failed `_entities` for one bad representation,
   * or the call itself failed): each operation's own call is sent alone, so it gets exactly the
   * answer it would have got without coalescing and no operation fails for another's entities.
   */
  private sendAlone(members: Member<TCall>[]): void {
    for (const member of members) this.send([member.call], [...member.call.representations]).then(member.resolve, member.reject);
  }
}

/** The part of a merged `_entities` answer that belongs to representations [offset, offset + count). */
export function sliceResponse(response: EntityResponse, offset: number, count: number): EntityResponse {
  const sliced: EntityResponse = {};
  if (response.extensions) sliced.extensions = response.extensions;
  if (response.data !== undefined) {
    const entities = response.data?.["_entities"];
    sliced.data = response.data === null ? null : { ...response.data, _entities: Array.isArray(entities) ? entities.slice(offset, offset + count) : entities };
  }
  if (response.errors) {
    const errors: GraphQLFormattedError[] = [];
    for (const error of response.errors) {
      const index = error.path?.[0] === "_entities" ? error.path[1] : undefined;
      if (typeof index !== "number") {
        // Not tied to one entity (e.g. the whole call failed): every operation in the batch sees it.
        errors.push(error);
      } else if (index >= offset && index < offset + count) {
        errors.push({ ...error, path: ["_entities", index - offset, ...error.path!.slice(2)] });
      }
    }
    if (errors.length > 0) sliced.errors = errors;
  }
  return sliced;
}
