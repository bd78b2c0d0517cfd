// Builds the query that resolves a selection's entity for a batch of keys in one operation: one
// aliased list-by-key root field per entity occurrence, e.g. `e0: inventoryPositionsByKey(keys:
// $cdkKeys) { …the subscriber's position selection… }`. The batch is a variable, so there is one
// document (and one query plan) per selection whatever the batch size, and the plan fetches the
// fields of other subgraphs with one `_entities` call per subgraph for the whole batch.
import {
  getOperationAST,
  parse,
  print,
  validate,
  visit,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import type { CanonicalSelection } from "../operationPlan.js";

export interface ResolutionQuery {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  source: string;
  operationName: string;
  /** The variable that carries the batch's key list. */
  keysVariable: string;
}

export const RESOLUTION_OPERATION_NAME = "CrossdockSubscriptionEntities";

/** Response key of the entity field's occurrence `nodeIndex` in the resolution query. */
export function entityAlias(nodeIndex: number): string {
  return `e${nodeIndex}`;
}

/** A variable prefix no subscriber variable starts with, so generated names never collide. */
function variablePrefix(selection: CanonicalSelection): string {
  let prefix = "cdk";
  const taken = selection.variableDefinitions.map((d) => d.variable.name.value);
  while (taken.some((name) => name.startsWith(prefix))) prefix += "x";
  return prefix;
}

export function buildResolutionQuery(selection: CanonicalSelection): ResolutionQuery {
  const { entityBatch } = selection.field;
  const keysVariable = `${variablePrefix(selection)}Keys`;
  // Only the variables the entity selections use: directives on the entity field itself are
  // applied when the event is shaped, not in this query.
  const used = new Set<string>();
  const usedFragments = new Set<string>();
  for (const node of selection.entityNodes) {
    if (!node.selectionSet) continue;
    visit(node.selectionSet, { Variable: (v) => void used.add(v.name.value), FragmentSpread: (s) => void usedFragments.add(s.name.value) });
  }
  // Fragments reachable from used fragments (the canonical selection kept only reachable ones).
  let grew = true;
  while (grew) {
    grew = false;
    for (const fragment of selection.fragments) {
      if (!usedFragments.has(fragment.name.value)) continue;
      visit(fragment, {
        Variable: (v) => void used.add(v.name.value),
        FragmentSpread: (s) => {
          if (!usedFragments.has(s.name.value)) {
            usedFragments.add(s.name.value);
            grew = true;
          }
        },
      });
    }
  }
  const definitions = [`$${keysVariable}: ${entityBatch.type}`];
  for (const definition of selection.variableDefinitions) {
    if (used.has(definition.variable.name.value)) definitions.push(print(definition));
  }
  const fields = selection.entityNodes.map(
    (node, e) =>
      `${entityAlias(e)}: ${entityBatch.field}(${entityBatch.argument}: $${keysVariable}) ${node.selectionSet ? print(node.selectionSet) : "{ __typename }"}`,
  );
  const source = [
    `query ${RESOLUTION_OPERATION_NAME}(${definitions.join(", ")}) {\n${fields.join("\n")}\n}`,
    ...selection.fragments.filter((f) => usedFragments.has(f.name.value)).map((f) => print(f)),
  ].join("\n");
  const document = parse(source);
  return { document, operation: getOperationAST(document)!, source, operationName: RESOLUTION_OPERATION_NAME, keysVariable };
}

/** Caches resolution queries per selection; validation is cached per schema. */
export class ResolutionQueryCache {
  private readonly queries = new Map<string, ResolutionQuery>();
  private readonly validated = new WeakMap<GraphQLSchema, Map<string, readonly GraphQLError[]>>();

  constructor(private readonly maxEntries = 2000) {}

  get(selection: CanonicalSelection): ResolutionQuery {
    let query = this.queries.get(selection.key);
    if (!query) {
      if (this.queries.size >= this.maxEntries) this.queries.delete(this.queries.keys().next().value!);
      query = buildResolutionQuery(selection);
      this.queries.set(selection.key, query);
    }
    return query;
  }

  /** The generated query derives from a validated selection; a schema reload can still invalidate it. */
  validate(schema: GraphQLSchema, query: ResolutionQuery): readonly GraphQLError[] {
    let perSchema = this.validated.get(schema);
    if (!perSchema) this.validated.set(schema, (perSchema = new Map()));
    let errors = perSchema.get(query.source);
    if (!errors) {
      errors = validate(schema, query.document);
      if (perSchema.size < this.maxEntries) perSchema.set(query.source, errors);
    }
    return errors;
  }
}
