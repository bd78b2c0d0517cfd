// Batches entity resolutions: requests for the same selection and principal that wait together
// (same tick, or while every resolution slot is busy) become one aliased query through the
// gateway's executor, so a burst of changes costs a few federated operations, not one per change.
import { GraphQLError } from "graphql";
import { encodePrincipal, type Logger, type Principal } from "@crossdock/platform";
import type { GraphExecutor } from "./graphExecution.js";
import type { CanonicalSelection } from "./operationPlan.js";
import { entityAlias, type ResolutionQueryCache } from "./resolutionQuery.js";

/** One entity resolved for one selection: the data of each entity occurrence, and errors. */
export interface EntityResolution {
  /** Per entity node of the selection (same order), the resolved object or null. */
  nodes: readonly unknown[];
  /** Errors with paths relative to the entity node: [nodeIndex, ...pathBelowIt]. */
  errors: readonly GraphQLError[];
}

interface PendingKey {
  entityArgs: Readonly<Record<string, string>>;
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

  resolve(selection: CanonicalSelection, principal: Principal, entityKey: string, entityArgs: Readonly<Record<string, string>>): Promise<EntityResolution> {
    // A selection of the event's own fields only (cursor, stage, …) needs nothing from the graph.
    if (selection.entityNodes.length === 0) return Promise.resolve({ nodes: [], errors: [] });
    const principalKey = encodePrincipal(principal);
    const groupKey = `${principalKey}\n${selection.key}`;
    let group = this.pending.get(groupKey);
    if (!group) this.pending.set(groupKey, (group = { selection, principal, keys: new Map() }));
    let key = group.keys.get(entityKey);
    if (!key) group.keys.set(entityKey, (key = { entityArgs, waiters: [] }));
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

  private async execute(group: PendingGroup, keys: PendingKey[]): Promise<EntityResolution[]> {
    const { selection } = group;
    const query = this.options.queries.get(selection, keys.length);
    const schema = this.options.executor.schema();
    const invalid = this.options.queries.validate(schema, query);
    if (invalid.length > 0) {
      // The supergraph was reloaded and this selection no longer fits it: report, do not guess.
      return keys.map(() => ({ nodes: selection.entityNodes.map(() => null), errors: invalid }));
    }
    const variables: Record<string, unknown> = { ...selection.variableValues };
    keys.forEach((key, k) => {
      for (const arg of selection.field.entityQuery.args) variables[query.variableName(k, arg.name)] = key.entityArgs[arg.name];
    });
    const result = await this.options.executor.execute({ ...query, variables }, group.principal);
    const data = result.data ?? {};
    const errorsByAlias = new Map<string, GraphQLError[]>();
    const unattributed: GraphQLError[] = [];
    for (const error of result.errors ?? []) {
      const alias = typeof error.path?.[0] === "string" ? error.path[0] : undefined;
      if (alias === undefined) unattributed.push(error);
      else errorsByAlias.set(alias, [...(errorsByAlias.get(alias) ?? []), error]);
    }
    return keys.map((_key, k) => {
      const errors: GraphQLError[] = [...unattributed];
      const nodes = selection.entityNodes.map((_node, e) => {
        const alias = entityAlias(k, e);
        for (const error of errorsByAlias.get(alias) ?? []) {
          errors.push(new GraphQLError(error.message, { path: [e, ...(error.path ?? []).slice(1)], extensions: error.extensions, originalError: error }));
        }
        return data[alias] ?? null;
      });
      return { nodes, errors };
    });
  }
}
