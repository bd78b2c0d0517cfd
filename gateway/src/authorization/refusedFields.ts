// Puts the refused fields back into the answer: each one null, with a FORBIDDEN (or, for an
// anonymous caller, UNAUTHENTICATED) error at its path, in the order the caller asked for its
// fields. A refused non-null field nulls its nearest nullable parent, as GraphQL execution would.
// The placeholders the check added (operationAccess) leave the answer here.
import {
  getDirectiveValues,
  getNamedType,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { describeRequirement } from "@crossdock/platform";
import { RUNTIME_TYPE_ALIAS, type Refusal } from "./operationAccess.js";

type Data = Record<string, unknown>;

/** Marks a value that must become null in its parent (a refused or nulled non-null field below it). */
const NULLED = Symbol("nulled");

export interface ShapeOptions {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  variables: Readonly<Record<string, unknown>>;
  refused: ReadonlyMap<FieldNode, Refusal>;
}

export function refusalError(refusal: Refusal, path: readonly (string | number)[] | undefined): GraphQLError {
  const message =
    refusal.decision === "UNAUTHENTICATED"
      ? `Sign in to read ${refusal.coordinate}`
      : `Unauthorized field or type: ${refusal.coordinate} needs the scope ${describeRequirement(refusal.requirement, refusal.principal)}`;
  return new GraphQLError(message, { path, extensions: { code: refusal.decision } });
}

/** The answer's data with every refused field null and the errors for them (one per path). */
export function shapeRefusedFields(data: Data, options: ShapeOptions): { data: Data | null; errors: GraphQLError[] } {
  const errors = new Map<string, GraphQLError>();
  const included = (node: FieldNode | { directives?: FieldNode["directives"] }): boolean => {
    const skip = getDirectiveValues(GraphQLSkipDirective, node, options.variables);
    if (skip?.if === true) return false;
    const include = getDirectiveValues(GraphQLIncludeDirective, node, options.variables);
    return include?.if !== false;
  };

  /** The fields of `selectionSet` that apply to an object of `runtime` type, grouped by response key, with their parent type. */
  const collect = (
    selectionSet: SelectionSetNode,
    parent: GraphQLCompositeType,
    runtime: string | undefined,
    into = new Map<string, { parent: GraphQLCompositeType; nodes: FieldNode[] }>(),
    visited = new Set<string>(),
  ) => {
    for (const selection of selectionSet.selections) {
      if (!included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const entry = into.get(key);
        if (entry) entry.nodes.push(selection);
        else into.set(key, { parent, nodes: [selection] });
        continue;
      }
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : options.fragments.get(selection.name.value);
      if (!fragment || (selection.kind === Kind.FRAGMENT_SPREAD && visited.has(selection.name.value))) continue;
      if (selection.kind === Kind.FRAGMENT_SPREAD) visited.add(selection.name.value);
      const condition = fragment.typeCondition ? options.schema.getType(fragment.typeCondition.name.value) : parent;
      if (!condition || !isCompositeType(condition) || !applies(condition, runtime)) continue;
      collect(fragment.selectionSet, condition, runtime, into, visited);
    }
    return into;
  };
  const applies = (condition: GraphQLCompositeType, runtime: string | undefined): boolean => {
    if (runtime === undefined || condition.name === runtime) return true;
    const type = options.schema.getType(runtime);
    return isObjectType(type) && !isObjectType(condition) && options.schema.isSubType(condition, type);
  };

  const shapeObject = (selectionSet: SelectionSetNode, type: GraphQLCompositeType, value: Data, path: (string | number)[]): Data | typeof NULLED => {
    const runtime = typeof value[RUNTIME_TYPE_ALIAS] === "string" ? (value[RUNTIME_TYPE_ALIAS] as string) : isObjectType(type) ? type.name : undefined;
    const shaped: Data = {};
    for (const [key, { parent, nodes }] of collect(selectionSet, type, runtime)) {
      const fieldName = nodes[0]!.name.value;
      if (fieldName === "__typename" && !nodes[0]!.alias) {
        shaped[key] = value[key] ?? runtime;
        continue;
      }
      const field = "getFields" in parent ? parent.getFields()[fieldName] : undefined;
      const refusal = nodes.map((node) => options.refused.get(node)).find((r) => r !== undefined);
      const fieldPath = [...path, key];
      if (refusal) {
        const at = fieldPath.join(".");
        if (!errors.has(at)) errors.set(at, refusalError(refusal, fieldPath));
        if (field && isNonNullType(field.type)) return NULLED;
        shaped[key] = null;
        continue;
      }
      if (!(key in value)) continue;
      const child = value[key];
      const sub = nodes.flatMap((node) => node.selectionSet?.selections ?? []);
      if (!field || child === null || child === undefined || sub.length === 0) {
        shaped[key] = child;
        continue;
      }
      const next = shapeValue(field.type, child, { kind: Kind.SELECTION_SET, selections: sub }, fieldPath);
      if (next === NULLED) {
        if (isNonNullType(field.type)) return NULLED;
        shaped[key] = null;
      } else {
        shaped[key] = next;
      }
    }
    return shaped;
  };

  const shapeValue = (type: GraphQLOutputType, value: unknown, selectionSet: SelectionSetNode, path: (string | number)[]): unknown => {
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isListType(inner)) {
      if (!Array.isArray(value)) return value;
      const items: unknown[] = [];
      for (const [index, item] of value.entries()) {
        if (item === null || item === undefined) {
          items.push(item);
          continue;
        }
        const next = shapeValue(inner.ofType, item, selectionSet, [...path, index]);
        if (next === NULLED && isNonNullType(inner.ofType)) return NULLED;
        items.push(next === NULLED ? null : next);
      }
      return items;
    }
    const named = getNamedType(inner);
    if (!isCompositeType(named) || typeof value !== "object") return value;
    return shapeObject(selectionSet, named, value as Data, path);
  };

  const root = options.schema.getRootType(options.operation.operation);
  const shaped = root ? shapeObject(options.operation.selectionSet, root, data, []) : data;
  return { data: shaped === NULLED ? null : shaped, errors: [...errors.values()] };
}
