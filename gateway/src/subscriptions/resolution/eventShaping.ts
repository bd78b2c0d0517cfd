// Shapes one event into the subscriber's response: graphql-js executes the canonical selection
// over the event (cursor, stage, milestone… from the feed payload) and the entity data the
// batcher fetched, so aliases, fragments, @include/@skip and __typename behave as in any query.
import { buildSchema, execute, GraphQLError, printSchema, type GraphQLFieldResolver, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import type { CanonicalSelection } from "../operationPlan.js";
import type { EntityResolution } from "./resolutionBatcher.js";
import type { StreamEvent, StreamField } from "../streamFields.js";

/** A response ready to send: errors already formatted (masked) for clients. */
export interface EventResponse {
  data?: Record<string, unknown> | null;
  errors?: GraphQLFormattedError[];
}

export type ErrorFormatter = (error: GraphQLError) => GraphQLFormattedError;

const POSITION_AT_CHANGE = Symbol("positionAtChange");
/** InventoryPosition fields whose value at the change the feed payload carries exactly. */
const POSITION_FIELDS_AT_CHANGE = new Set(["onHand", "allocated", "available"]);

class EventSource {
  constructor(
    readonly field: StreamField,
    readonly event: StreamEvent,
    readonly entity: EntityResolution,
    readonly nodeIndex: ReadonlyMap<unknown, number>,
  ) {}
}

function mergeData(target: unknown, source: unknown): unknown {
  if (Array.isArray(target) && Array.isArray(source)) return target.map((item, i) => mergeData(item, source[i]));
  if (target && source && typeof target === "object" && typeof source === "object") {
    const merged: Record<string, unknown> = { ...(target as Record<string, unknown>) };
    for (const [key, value] of Object.entries(source as Record<string, unknown>)) merged[key] = key in merged ? mergeData(merged[key], value) : value;
    return merged;
  }
  return target ?? source;
}

const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, _args, _context, info) => {
  if (info.path.prev === undefined) return source; // the root field: its value is the event itself
  if (source instanceof EventSource) {
    const { event, entity, nodeIndex } = source;
    const indexes = info.fieldNodes.map((node) => nodeIndex.get(node)).filter((i): i is number => i !== undefined);
    if (indexes.length === 0) return source.field.eventFieldValue(info.fieldName, event);
    // Several occurrences under one response key are merged by graphql-js: merge their data too.
    const value = indexes.map((i) => entity.nodes[i]).reduce((merged, data) => mergeData(merged, data), undefined);
    if (value && typeof value === "object" && info.parentType.name === "InventoryEvent") {
      return { ...(value as Record<string, unknown>), [POSITION_AT_CHANGE]: event.payload };
    }
    return value ?? null;
  }
  if (source && typeof source === "object") {
    const record = source as Record<string | symbol, unknown>;
    const atChange = record[POSITION_AT_CHANGE] as Record<string, unknown> | undefined;
    if (atChange && POSITION_FIELDS_AT_CHANGE.has(info.fieldName) && atChange[info.fieldName] !== undefined) return atChange[info.fieldName];
    // Entity data is keyed by response key (the fetch used the same aliases); milestones by name.
    return info.path.key in record ? record[info.path.key] : record[info.fieldName];
  }
  return null;
};

// Apollo Server wraps the gateway schema's field resolvers in place (plugin hooks), which would
// bypass the fieldResolver below; shaping runs on a resolver-free copy, rebuilt per schema.
const shapingSchemas = new WeakMap<GraphQLSchema, GraphQLSchema>();
function shapingSchema(schema: GraphQLSchema): GraphQLSchema {
  let copy = shapingSchemas.get(schema);
  if (!copy) shapingSchemas.set(schema, (copy = buildSchema(printSchema(schema))));
  return copy;
}

export interface ShapeOptions {
  schema: GraphQLSchema;
  selection: CanonicalSelection;
  event: StreamEvent;
  entity: EntityResolution;
  formatError: ErrorFormatter;
}

export function shapeEvent({ schema, selection, event, entity, formatError }: ShapeOptions): EventResponse {
  const nodeIndex = new Map<unknown, number>(selection.entityNodes.map((node, i) => [node, i]));
  const result = execute({
    schema: shapingSchema(schema),
    document: selection.document,
    rootValue: new EventSource(selection.field, event, entity, nodeIndex),
    variableValues: { ...selection.variableValues },
    fieldResolver,
  }) as { data?: Record<string, unknown> | null; errors?: readonly GraphQLError[] };
  const rootKey = Object.keys(result.data ?? {})[0] ?? selection.field.name;
  const entityKeys = selection.entityNodes.map((node) => node.alias?.value ?? node.name.value);
  const fetchErrors = entity.errors.map((error) => {
    const [nodeIndex, ...rest] = error.path ?? [];
    const path = typeof nodeIndex === "number" ? [rootKey, entityKeys[nodeIndex]!, ...rest] : undefined;
    return new GraphQLError(error.message, { path, extensions: error.extensions, originalError: error.originalError ?? error });
  });
  const errors = [...fetchErrors, ...(result.errors ?? [])];
  return errors.length > 0 ? { data: result.data ?? null, errors: errors.map(formatError) } : { data: result.data ?? null };
}
