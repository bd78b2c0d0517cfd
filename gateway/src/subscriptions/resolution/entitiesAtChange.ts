// Answers the root fetch of a subscription batch (the list-by-key field, e.g. ops'
// `inventoryPositionsByKey`) from the change-feed payloads when every field that fetch selects is
// one the payload carries: the projection wrote those values in the same transaction as the feed
// entry, so reading them back from the read model per change would only queue behind the writes.
// Anything else (a field the payload lacks, a directive) goes to the subgraph as usual; the fields
// of other subgraphs are never answered here: the query plan fetches them.
import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from "graphql";
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";

/** The batch's entities as the list-by-key field would return them, aligned with the key list. */
export interface EntitiesAtChange {
  /** The root field these answer (its key-list argument carries `refs`). */
  field: string;
  refs: readonly unknown[];
  entities: readonly Readonly<Record<string, unknown>>[];
}

/** Thrown while walking a selection the payload cannot answer. */
const UNANSWERABLE = Symbol("unanswerable");

function select(value: unknown, selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, out: Record<string, unknown>): void {
  const entity = value as Record<string, unknown>;
  for (const selection of selectionSet.selections) {
    if (selection.directives?.length) throw UNANSWERABLE;
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (!Object.hasOwn(entity, name)) throw UNANSWERABLE;
      const responseKey = selection.alias?.value ?? name;
      const fieldValue = entity[name];
      if (!selection.selectionSet || fieldValue === null) out[responseKey] = fieldValue;
      else {
        if (typeof fieldValue !== "object" || Array.isArray(fieldValue)) throw UNANSWERABLE;
        const nested = (out[responseKey] ??= {}) as Record<string, unknown>;
        select(fieldValue, selection.selectionSet, fragments, nested);
      }
    } else {
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
      if (!fragment) throw UNANSWERABLE;
      const typeName = fragment.typeCondition?.name.value;
      if (typeName !== undefined && typeName !== entity.__typename) continue;
      select(entity, fragment.selectionSet, fragments, out);
    }
  }
}

const sameRef = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/** The response to a fetch from the payloads, or undefined when the subgraph must answer it. */
export function answerFromPayloads(
  document: DocumentNode,
  variables: Readonly<Record<string, unknown>>,
  atChange: EntitiesAtChange,
): Record<string, unknown> | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: SelectionSetNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION && definition.operation === "query") operation = definition.selectionSet;
    else return undefined;
  }
  if (!operation) return undefined;
  const data: Record<string, unknown> = {};
  try {
    for (const selection of operation.selections) {
      if (selection.kind !== Kind.FIELD || selection.name.value !== atChange.field || selection.directives?.length || !selection.selectionSet) return undefined;
      const [argument, ...others] = selection.arguments ?? [];
      if (!argument || others.length > 0 || argument.value.kind !== Kind.VARIABLE) return undefined;
      const refs = variables[argument.value.name.value];
      if (!Array.isArray(refs) || refs.length !== atChange.refs.length) return undefined;
      if (!refs.every((ref, i) => sameRef(ref, atChange.refs[i]))) return undefined;
      const selectionSet = selection.selectionSet;
      data[selection.alias?.value ?? atChange.field] = atChange.entities.map((entity) => {
        const item: Record<string, unknown> = {};
        select(entity, selectionSet, fragments, item);
        return item;
      });
    }
  } catch (error) {
    if (error === UNANSWERABLE) return undefined;
    throw error;
  }
  return data;
}

// Fetch documents are not exposed by the planner by default: parse each fetch's text once.
const parsedFetches = new Map<string, DocumentNode>();
function fetchDocument(source: string): DocumentNode {
  let document = parsedFetches.get(source);
  if (!document) {
    if (parsedFetches.size >= 500) parsedFetches.delete(parsedFetches.keys().next().value!);
    parsedFetches.set(source, (document = parse(source)));
  }
  return document;
}

/** Wraps a subgraph's data source: a batch's root fetch the payloads can answer never leaves the gateway. */
export function answeringFromPayloads<TContext extends Record<string, unknown>>(
  source: GraphQLDataSource<TContext>,
  atChange: EntitiesAtChange,
  onAnswered: () => void,
): GraphQLDataSource<TContext> {
  return {
    process(options: GraphQLDataSourceProcessOptions<TContext>) {
      const { request } = options;
      // Only operation fetches carry a document (health checks and schema loads do not).
      const document = (options as { document?: DocumentNode }).document ?? (request.query ? fetchDocument(request.query) : undefined);
      const data = document ? answerFromPayloads(document, request.variables ?? {}, atChange) : undefined;
      if (!data) return source.process(options);
      onAnswered();
      return Promise.resolve({ data });
    },
  };
}
