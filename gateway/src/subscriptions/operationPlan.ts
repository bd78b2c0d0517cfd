// Turns a validated subscription document into a plan: which stream and filter, the resume
// arguments, and a canonical "selection" (the root field's selection with the fragments and
// variables it uses) that identical subscribers share, whatever cursor or filter they passed.
import {
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  parse,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from "graphql";
import { streamFieldOf, type StreamField, type StreamFilter } from "./streamFields.js";
import { subscriptionError } from "./subscriptionErrors.js";

/** What every subscriber with the same selection shares: the shaping document and entity nodes. */
export interface CanonicalSelection {
  field: StreamField;
  /** `subscription(<used variables>) { <responseKey>: <field> { <selection> } } <fragments>` */
  document: DocumentNode;
  /** The entity field's occurrences in `document`, in a fixed order (index = resolution alias). */
  entityNodes: readonly FieldNode[];
  fragments: readonly FragmentDefinitionNode[];
  /** Variables the selection uses (declared in the resolution query too) and their raw values. */
  variableDefinitions: readonly VariableDefinitionNode[];
  variableValues: Readonly<Record<string, unknown>>;
  /** Identity of the selection: equal keys shape events identically. */
  key: string;
}

export interface SubscriptionPlan {
  field: StreamField;
  filter: StreamFilter;
  after: string | undefined;
  includeCurrent: boolean;
  selection: CanonicalSelection;
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  return new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
}

/** Field nodes named `name` directly in a selection set, looking through inline fragments and spreads. */
function collectFields(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  name: string | undefined,
  seen = new Set<string>(),
): FieldNode[] {
  const found: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (name === undefined || selection.name.value === name) found.push(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      found.push(...collectFields(selection.selectionSet, fragments, name, seen));
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) found.push(...collectFields(fragment.selectionSet, fragments, name, seen));
    }
  }
  return found;
}

/** Fragment names and variable names used anywhere under `nodes`, following spreads. */
function usedByNodes(nodes: readonly FieldNode[], fragments: Map<string, FragmentDefinitionNode>): { fragmentNames: string[]; variableNames: Set<string> } {
  const fragmentNames: string[] = [];
  const variableNames = new Set<string>();
  const pending: { kind: string }[] = [...nodes];
  while (pending.length > 0) {
    visit(pending.pop() as FieldNode, {
      FragmentSpread(spread) {
        if (fragmentNames.includes(spread.name.value)) return;
        fragmentNames.push(spread.name.value);
        const fragment = fragments.get(spread.name.value);
        if (fragment) pending.push(fragment);
      },
      Variable(variable) {
        variableNames.add(variable.name.value);
      },
    });
  }
  return { fragmentNames, variableNames };
}

/** Builds the canonical selection from the subscriber's root field. */
function canonicalSelection(
  field: StreamField,
  rootField: FieldNode,
  document: DocumentNode,
  variableDefinitions: readonly VariableDefinitionNode[],
  rawVariables: Readonly<Record<string, unknown>>,
): CanonicalSelection {
  const fragments = fragmentsOf(document);
  const responseKey = rootField.alias?.value ?? rootField.name.value;
  const { fragmentNames, variableNames } = usedByNodes(rootField.selectionSet ? [{ ...rootField, arguments: [] }] : [], fragments);
  const usedDefinitions = variableDefinitions.filter((d) => variableNames.has(d.variable.name.value));
  const variableValues: Record<string, unknown> = {};
  for (const definition of usedDefinitions) {
    const name = definition.variable.name.value;
    if (Object.hasOwn(rawVariables, name)) variableValues[name] = rawVariables[name];
  }
  const definitions = usedDefinitions.length > 0 ? `(${usedDefinitions.map((d) => print(d)).join(", ")})` : "";
  const directives = rootField.directives?.length ? ` ${rootField.directives.map((d) => print(d)).join(" ")}` : "";
  const source = [
    `subscription CrossdockSubscription${definitions} { ${responseKey}: ${field.name}${directives} ${print(rootField.selectionSet!)} }`,
    ...fragmentNames.map((name) => print(fragments.get(name)!)),
  ].join("\n");
  const canonical = parse(source);
  const operation = getOperationAST(canonical)!;
  const canonicalRoot = operation.selectionSet.selections[0] as FieldNode;
  const canonicalFragments = fragmentsOf(canonical);
  const entityNodes = [...new Set(collectFields(canonicalRoot.selectionSet!, canonicalFragments, field.entityField))];
  return {
    field,
    document: canonical,
    entityNodes,
    fragments: [...canonicalFragments.values()],
    variableDefinitions: operation.variableDefinitions ?? [],
    variableValues,
    key: `${source}\n${JSON.stringify(variableValues)}`,
  };
}

/**
 * Plans a subscription operation the caller already validated against `schema`. Returns the
 * plan, or GraphQL errors (bad variables, unknown stream) for the client.
 */
export function planSubscription(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined | null,
  rawVariables: Readonly<Record<string, unknown>> = {},
): SubscriptionPlan | readonly GraphQLError[] {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation || operation.operation !== "subscription") return [new GraphQLError("Expected a subscription operation")];
  const [rootField, ...others] = collectFields(operation.selectionSet, fragmentsOf(document), undefined);
  if (!rootField || others.length > 0) return [new GraphQLError("A subscription selects exactly one root field")];
  const field = streamFieldOf(rootField.name.value);
  const fieldDefinition = schema.getSubscriptionType()?.getFields()[rootField.name.value];
  if (!field || !fieldDefinition) return [new GraphQLError(`Unknown subscription field "${rootField.name.value}"`)];
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables);
  if (coerced.errors) return coerced.errors;
  let args: Record<string, unknown>;
  try {
    args = getArgumentValues(fieldDefinition, rootField, coerced.coerced);
  } catch (error) {
    return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
  }
  const filter: Record<string, string> = {};
  for (const name of field.filterArgs) {
    const value = args[name];
    if (typeof value === "string") filter[name] = value;
  }
  const after = typeof args.after === "string" ? args.after : undefined;
  const includeCurrent = args.includeCurrent === true;
  if (includeCurrent && after !== undefined) {
    return [subscriptionError("BAD_USER_INPUT", "includeCurrent and after cannot be combined: resume with after, or start fresh with includeCurrent")];
  }
  if (includeCurrent && Object.keys(filter).length === 0 && !field.currentUnfiltered) {
    return [subscriptionError("BAD_USER_INPUT", `includeCurrent needs at least one filter (${field.filterArgs.join(" or ")})`)];
  }
  return { field, filter, after, includeCurrent, selection: canonicalSelection(field, rootField, document, operation.variableDefinitions ?? [], rawVariables) };
}
