// Estimates what an operation asks of the subgraphs before it runs, with the rules of Apollo
// Router's demand control (the IBM cost directive spec): a mutation costs 10; an object,
// interface or union costs 1 and a scalar or enum 0, unless `@cost` says otherwise; a list
// multiplies its items by its size (`@listSize`: the largest slicing argument given, else the
// argument's default, else `assumedSize`, else the configured default size); a connection's
// size applies to its `sizedFields`; input objects in arguments cost 1 each. Every spread of a
// fragment and every alias counts; a fragment's cost is computed once per sizing context, so
// fragments that spread each other many times over stay linear to estimate (and huge in cost).
// Introspection is answered by the gateway itself and reaches no subgraph: it costs nothing here.
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isInputObjectType,
  isListType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";
import type { CostModel } from "./costModel.js";

export interface CostEstimateOptions {
  schema: GraphQLSchema;
  model: CostModel;
  document: DocumentNode;
  operationName?: string | null | undefined;
  variables?: Readonly<Record<string, unknown>> | null | undefined;
  /** The size of a list nothing declares a size for. */
  defaultListSize: number;
}

export interface CostEstimate {
  cost: number;
  /** The estimate read a variable (a slicing argument or an input given by variable): it is per set of variables. */
  dependsOnVariables: boolean;
}

const OPERATION_COST = { query: 0, mutation: 10, subscription: 0 } as const;

/** Sizes a parent connection hands to its child fields (`edges`), by field name. */
type Sized = ReadonlyMap<string, number> | undefined;

class Estimator {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly fragmentCosts = new Map<string, number>();
  private readonly visiting = new Set<string>();
  private readonly variableDefaults = new Map<string, unknown>();
  dependsOnVariables = false;

  constructor(
    private readonly options: CostEstimateOptions,
    operation: OperationDefinitionNode,
  ) {
    for (const definition of options.document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(definition.name.value, definition);
    }
    for (const variable of operation.variableDefinitions ?? []) {
      if (variable.defaultValue) this.variableDefaults.set(variable.variable.name.value, valueFromASTUntyped(variable.defaultValue));
    }
  }

  selectionSet(parent: GraphQLNamedType, selectionSet: SelectionSetNode, sized: Sized): number {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) total += this.field(parent, selection, sized);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? this.options.schema.getType(selection.typeCondition.name.value) : parent;
        total += on ? this.selectionSet(on, selection.selectionSet, sized) : 0;
      } else total += this.fragment(selection.name.value, sized);
    }
    return total;
  }

  private fragment(name: string, sized: Sized): number {
    const key = sized ? `${name}\n${JSON.stringify([...sized])}` : name;
    const known = this.fragmentCosts.get(key);
    if (known !== undefined) return known;
    const fragment = this.fragments.get(name);
    // Unknown and cyclic spreads are GraphQL's own validation errors; they add nothing here.
    if (!fragment || this.visiting.has(name)) return 0;
    const on = this.options.schema.getType(fragment.typeCondition.name.value);
    this.visiting.add(name);
    const cost = on ? this.selectionSet(on, fragment.selectionSet, sized) : 0;
    this.visiting.delete(name);
    this.fragmentCosts.set(key, cost);
    return cost;
  }

  private field(parent: GraphQLNamedType, node: FieldNode, sized: Sized): number {
    const name = node.name.value;
    if (name.startsWith("__")) return 0;
    const definition = "getFields" in parent ? (parent.getFields()[name] as GraphQLField<unknown, unknown> | undefined) : undefined;
    if (!definition) return 0;
    const { model } = this.options;
    const coordinate = `${parent.name}.${name}`;
    const type = getNamedType(definition.type);
    const weight = model.fields.get(coordinate) ?? model.types.get(type.name) ?? (isCompositeType(type) ? 1 : 0);
    const listSize = model.listSizes.get(coordinate);
    const size = listSize ? this.slicedSize(definition, node, listSize.slicingArguments, listSize.assumedSize) : undefined;
    const childSized =
      listSize && listSize.sizedFields.length > 0 ? new Map(listSize.sizedFields.map((child) => [child, size ?? this.options.defaultListSize])) : undefined;
    const children = node.selectionSet ? this.selectionSet(type, node.selectionSet, childSized) : 0;
    const isList = isListType(getNullableType(definition.type));
    // A connection's size belongs to its sized fields; the connection itself is one object.
    const count = sized?.get(name) ?? (isList ? (childSized ? this.options.defaultListSize : (size ?? this.options.defaultListSize)) : 1);
    return count * (weight + children) + this.argumentsCost(coordinate, definition, node);
  }

  private slicedSize(
    definition: GraphQLField<unknown, unknown>,
    node: FieldNode,
    slicing: readonly string[],
    assumedSize: number | undefined,
  ): number | undefined {
    let largest: number | undefined;
    for (const argumentName of slicing) {
      const given = node.arguments?.find((a) => a.name.value === argumentName);
      const value = given ? this.valueOf(given.value) : definition.args.find((a) => a.name === argumentName)?.defaultValue;
      if (typeof value === "number" && Number.isFinite(value)) largest = Math.max(largest ?? 0, value);
    }
    return largest ?? assumedSize;
  }

  private argumentsCost(coordinate: string, definition: GraphQLField<unknown, unknown>, node: FieldNode): number {
    let total = 0;
    for (const argument of node.arguments ?? []) {
      const declared = definition.args.find((a) => a.name === argument.name.value);
      if (!declared) continue;
      const weight = this.options.model.arguments.get(`${coordinate}.${declared.name}`);
      if (weight !== undefined) total += weight;
      else if (isInputObjectType(getNamedType(declared.type))) total += inputObjects(this.valueOf(argument.value));
    }
    return total;
  }

  private valueOf(value: ValueNode): unknown {
    if (value.kind === Kind.VARIABLE) {
      this.dependsOnVariables = true;
      const name = value.name.value;
      const given = this.options.variables?.[name];
      return given !== undefined ? given : this.variableDefaults.get(name);
    }
    return valueFromASTUntyped(value, this.options.variables ?? undefined);
  }
}

/** Objects in an input value, nested ones and list items included: each costs 1. */
function inputObjects(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + inputObjects(item), 0);
  if (value === null || typeof value !== "object") return 0;
  return 1 + Object.values(value).reduce((sum: number, item) => sum + inputObjects(item), 0);
}

/** The operation's estimated cost, or undefined when the document has no such operation (GraphQL reports that). */
export function estimateCost(options: CostEstimateOptions): CostEstimate | undefined {
  const operations = options.document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = options.operationName
    ? operations.find((o) => o.name?.value === options.operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation) return undefined;
  const root = options.schema.getRootType(operation.operation);
  if (!root) return undefined;
  const estimator = new Estimator(options, operation);
  const cost = OPERATION_COST[operation.operation] + estimator.selectionSet(root, operation.selectionSet, undefined);
  return { cost, dependsOnVariables: estimator.dependsOnVariables };
}
