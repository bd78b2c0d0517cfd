// Batches entity resolutions: requests for the same selection and principal that wait together
// (same tick, or while every resolution slot is busy) become one list-by-key query through the
// gateway's executor, so a burst of changes costs a few federated operations, not one per change;
// changes of the same key in one batch share one resolution. The batch's own fields come from the
// feed payloads (see graphExecution), the rest through the query plan.
import { GraphQLError } from "graphql";
import { encodePrincipal, traced, type Logger, type Principal } from "@crossdock/platform";
import type { GraphExecutor } from "./graphExecution.js";
import type { CanonicalSelection } from "../operationPlan.js";
import { entityAlias, type ResolutionQueryCache } from "./resolutionQuery.js";
import type { StreamEvent } from "../streamFields.js";

/** One entity resolved for one selection: the data of each entity occurrence, and errors. */
export interface EntityResolution {
  /** Per entity node of the selection (same order), the resolved object or null. */
  nodes: readonly unknown[];
  /** Errors with paths relative to the entity node: [nodeIndex, ...pathBelowIt]. */
  errors: readonly GraphQLError[];
}

interface PendingKey {
  /** The newest change of this key in the batch: its payload answers the batch field's own fields. */
  event: StreamEvent;
  waiters: { resolve: (r: EntityResolution) => void }[];
}

interface PendingGroup {
  selection: CanonicalSelection;
  principal: Principal;
  keys: Map<string, PendingKey>;
}

export interface ResolutionBatcherOptions {
  executor: GraphExecutor;
  queries: ResolutionQueryCache;
  logger: Logger;
  batchSize: number;
  maxConcurrent: number;
  onExecuted?: (keys: number, ms: number) => void;
}

export class ResolutionBatcher {
  private readonly pending = new Map<string, PendingGroup>();
  private scheduled = false;
  private running = 0;

  constructor(private readonly options: ResolutionBatcherOptions) {}

  resolve(selection: CanonicalSelection, principal: Principal, event: StreamEvent): Promise<EntityResolution> {
    // A selection of the event's own fields only (cursor, stage, …) needs nothing from the graph.
    if (selection.entityNodes.length === 0) return Promise.resolve({ nodes: [], errors: [] });
    const principalKey = encodePrincipal(principal);
    const groupKey = `${principalKey}\n${selection.key}`;
    let group = this.pending.get(groupKey);
    if (!group) this.pending.set(groupKey, (group = { selection, principal, keys: new Map() }));
    let key = group.keys.get(event.entityKey);
    if (!key) group.keys.set(event.entityKey, (key = { event, waiters: [] }));
    else if (event.cursor > key.event.cursor) key.event = event;
    const waiters = key.waiters;
    if (!this.scheduled) {
      this.scheduled = true;
      // setImmediate, not a microtask: the whole page the feed tail just dispatched joins the batch.
      setImmediate(() => this.pump());
    }
    return new Promise((resolve) => waiters.push({ resolve }));
  }

  /**
   * Starts batches while a resolution slot is free. Under load every slot is busy, so requests
   * keep accumulating per group and the next batch carries all of them (up to batchSize): the
   * batches grow with the load instead of queueing many one-key queries.
   */
  private pump(): void {
    this.scheduled = false;
    while (this.running < this.options.maxConcurrent && this.pending.size > 0) {
      const [groupKey, group] = this.pending.entries().next().value!;
      const keys: PendingKey[] = [];
      for (const [entityKey, key] of group.keys) {
        if (keys.length >= this.options.batchSize) break;
        keys.push(key);
        group.keys.delete(entityKey);
      }
      // Round-robin between groups: a group with keys left goes to the back.
      this.pending.delete(groupKey);
      if (group.keys.size > 0) this.pending.set(groupKey, group);
      this.running++;
      void this.runChunk(group, keys);
    }
  }

  private async runChunk(group: PendingGroup, keys: PendingKey[]): Promise<void> {
    const started = performance.now();
    try {
      const results = await this.execute(group, keys);
      keys.forEach((key, k) => key.waiters.forEach((w) => w.resolve(results[k]!)));
    } catch (error) {
      this.options.logger.warn({ err: error }, "subscription entity resolution failed");
      const failed: EntityResolution = {
        nodes: group.selection.entityNodes.map(() => null),
        errors: [new GraphQLError("The event's entity could not be resolved", { extensions: { code: "INTERNAL_SERVER_ERROR" } })],
      };
      for (const key of keys) key.waiters.forEach((w) => w.resolve(failed));
    } finally {
      this.running--;
      this.options.onExecuted?.(keys.length, performance.now() - started);
      this.pump();
    }
  }

  /**
   * Traced (the events came with the traces of their pushes): one span for the batch, continuing the
   * first event's trace and linking the others', as the capture's apply does for a batch of writes.
   */
  private executeTraced<T>(keys: PendingKey[], run: (traceparent: string | null) => Promise<T>): Promise<T> {
    const traceparents = keys.flatMap((key) => (key.event.traceparent ? [key.event.traceparent] : []));
    if (traceparents.length === 0) return run(null);
    return traced(
      "gateway subscription resolve",
      { parent: traceparents[0]!, links: traceparents.slice(1), attributes: { "crossdock.service": "gateway", "crossdock.events": keys.length } },
      (_span, traceparent) => run(traceparent),
    );
  }

  private async execute(group: PendingGroup, keys: PendingKey[]): Promise<EntityResolution[]> {
    const { selection } = group;
    const query = this.options.queries.get(selection);
    const schema = this.options.executor.schema();
    const invalid = this.options.queries.validate(schema, query);
    if (invalid.length > 0) {
      // The supergraph was reloaded and this selection no longer fits it: report, do not guess.
      return keys.map(() => ({ nodes: selection.entityNodes.map(() => null), errors: invalid }));
    }
    const { field } = selection;
    const refs = keys.map((key) => key.event.entityRef);
    const variables: Record<string, unknown> = { ...selection.variableValues, [query.keysVariable]: refs };
    const atChange = { field: field.entityBatch.field, refs, entities: keys.map((key) => field.entityAtChange(key.event)) };
    const result = await this.executeTraced(keys, (traceparent) =>
      this.options.executor.execute({ ...query, variables }, group.principal, atChange, traceparent),
    );
    const data = result.data ?? {};
    // Errors by (entity node, key); an error on a whole list (or none) concerns every key.
    const errorsOf = keys.map((): GraphQLError[] => []);
    for (const error of result.errors ?? []) {
      const [alias, index, ...rest] = error.path ?? [];
      const e = typeof alias === "string" && /^e\d+$/.test(alias) ? Number(alias.slice(1)) : undefined;
      const targets = typeof index === "number" ? [index] : keys.map((_key, k) => k);
      for (const k of targets) {
        const path = e === undefined ? undefined : typeof index === "number" ? [e, ...rest] : [e];
        errorsOf[k]?.push(path ? new GraphQLError(error.message, { path, extensions: error.extensions, originalError: error }) : error);
      }
    }
    return keys.map((_key, k) => ({
      nodes: selection.entityNodes.map((_node, e) => {
        const list = data[entityAlias(e)];
        return Array.isArray(list) ? (list[k] ?? null) : null;
      }),
      errors: errorsOf[k]!,
    }));
  }
}
