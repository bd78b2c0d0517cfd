// Builds the query that resolves a selection's entity for a batch of keys in one operation:
// one aliased root field per (key, entity occurrence), e.g. `k3_e0: inventoryPosition(sku: $cdk3_sku,
// warehouseCode: $cdk3_warehouseCode) { …the subscriber's position selection… }`. Documents are
// cached per batch size, so the gateway's query-plan cache sees only a few shapes per selection.
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
import type { CanonicalSelection } from "./operationPlan.js";

export interface ResolutionQuery {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  source: string;
  operationName: string;
  /** Variable name for key `k`'s entity argument `arg`. */
  variableName(k: number, arg: string): string;
}

export const RESOLUTION_OPERATION_NAME = "CrossdockSubscriptionEntities";

export function entityAlias(keyIndex: number, nodeIndex: number): string {
  return `k${keyIndex}_e${nodeIndex}`;
}

/** A variable prefix no subscriber variable starts with, so generated names never collide. */
function variablePrefix(selection: CanonicalSelection): string {
  let prefix = "cdk";
  const taken = selection.variableDefinitions.map((d) => d.variable.name.value);
  while (taken.some((name) => name.startsWith(prefix))) prefix += "x";
  return prefix;
}

export function buildResolutionQuery(selection: CanonicalSelection, keyCount: number): ResolutionQuery {
  const { entityQuery } = selection.field;
  const prefix = variablePrefix(selection);
  const variableName = (k: number, arg: string) => `${prefix}${k}_${arg}`;
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
  const definitions: string[] = [];
  const fields: string[] = [];
  for (let k = 0; k < keyCount; k++) {
    for (const arg of entityQuery.args) definitions.push(`$${variableName(k, arg.name)}: ${arg.type}`);
    const args = entityQuery.args.map((arg) => `${arg.name}: $${variableName(k, arg.name)}`).join(", ");
    selection.entityNodes.forEach((node, e) => {
      fields.push(`${entityAlias(k, e)}: ${entityQuery.field}(${args}) ${node.selectionSet ? print(node.selectionSet) : "{ __typename }"}`);
    });
  }
  for (const definition of selection.variableDefinitions) {
    if (used.has(definition.variable.name.value)) definitions.push(print(definition));
  }
  const source = [
    `query ${RESOLUTION_OPERATION_NAME}(${definitions.join(", ")}) {\n${fields.join("\n")}\n}`,
    ...selection.fragments.filter((f) => usedFragments.has(f.name.value)).map((f) => print(f)),
  ].join("\n");
  const document = parse(source);
  return { document, operation: getOperationAST(document)!, source, operationName: RESOLUTION_OPERATION_NAME, variableName };
}

/** Caches resolution queries per selection and batch size; validation is cached per schema. */
export class ResolutionQueryCache {
  private readonly queries = new Map<string, ResolutionQuery>();
  private readonly validated = new WeakMap<GraphQLSchema, Map<string, readonly GraphQLError[]>>();

  constructor(private readonly maxEntries = 2000) {}

  get(selection: CanonicalSelection, keyCount: number): ResolutionQuery {
    const cacheKey = `${keyCount}\n${selection.key}`;
    let query = this.queries.get(cacheKey);
    if (!query) {
      if (this.queries.size >= this.maxEntries) this.queries.delete(this.queries.keys().next().value!);
      query = buildResolutionQuery(selection, keyCount);
      this.queries.set(cacheKey, query);
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
