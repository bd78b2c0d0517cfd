// Which fields of an operation the caller may not select, and the operation without them: the
// gateway's check before planning (Apollo Router semantics). Each field needs what the
// supergraph declares on it, its parent type and the type it returns; a refused field is taken
// out of the document (a selection set left empty keeps a placeholder `__typename`), and the
// response shaping puts it back as null with its error.
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  Kind,
  visit,
  type ASTNode,
  type DefinitionNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from "graphql";
import { abstractFieldRequirement, decideAccess, type AccessDecision, type AccessRequirement, type AccessRules, type Principal } from "@crossdock/platform";

/** Response key of the placeholder that keeps an emptied selection set valid (removed from the answer). */
export const EMPTY_SELECTION_ALIAS = "__crossdockRefusedAll";
/** Response key of the runtime type asked for in abstract selection sets (removed from the answer). */
export const RUNTIME_TYPE_ALIAS = "__crossdockRuntimeType";

export interface Refusal {
  decision: Exclude<AccessDecision, "allowed">;
  coordinate: string;
  requirement: AccessRequirement;
  principal: Principal;
}

export interface OperationAccess {
  /** Refused field nodes of the original document (operation and fragments). Empty: run it as it is. */
  refused: ReadonlyMap<FieldNode, Refusal>;
  /** The document without the refused fields; the original when nothing was refused. */
  document: DocumentNode;
}

const requirementsByRules = new WeakMap<AccessRules, Map<string, AccessRequirement>>();

/** The requirement of `parent.field`, one shared object per coordinate (decisions are remembered by identity). */
function requirementFor(schema: GraphQLSchema, rules: AccessRules, parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>): AccessRequirement {
  let known = requirementsByRules.get(rules);
  if (!known) requirementsByRules.set(rules, (known = new Map()));
  const coordinate = `${parent.name}.${field.name}`;
  let requirement = known.get(coordinate);
  if (!requirement) {
    const implementations = isInterfaceType(parent) ? schema.getPossibleTypes(parent) : [];
    requirement = abstractFieldRequirement(rules, parent, field, implementations);
    known.set(coordinate, requirement);
  }
  return requirement;
}

const placeholder = (alias: string): FieldNode => ({
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: alias },
  name: { kind: Kind.NAME, value: "__typename" },
});

export function authorizeOperation(options: { schema: GraphQLSchema; rules: AccessRules; principal: Principal; document: DocumentNode }): OperationAccess {
  const { schema, rules, principal, document } = options;
  const refused = new Map<FieldNode, Refusal>();

  const filter = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType): SelectionSetNode => {
    const selections: SelectionNode[] = [];
    let changed = false;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const field = name.startsWith("__") || !("getFields" in parent) ? undefined : parent.getFields()[name];
        if (!field) {
          selections.push(selection);
          continue;
        }
        const requirement = requirementFor(schema, rules, parent, field);
        const decision = decideAccess(principal, requirement);
        if (decision !== "allowed") {
          refused.set(selection, { decision, coordinate: `${parent.name}.${name}`, requirement, principal });
          changed = true;
          continue;
        }
        const returned = getNamedType(field.type);
        if (selection.selectionSet && isCompositeType(returned)) {
          const inner = filter(selection.selectionSet, returned);
          if (inner !== selection.selectionSet) changed = true;
          selections.push(inner === selection.selectionSet ? selection : { ...selection, selectionSet: inner });
        } else {
          selections.push(selection);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        const inner = condition && isCompositeType(condition) ? filter(selection.selectionSet, condition) : selection.selectionSet;
        if (inner !== selection.selectionSet) changed = true;
        selections.push(inner === selection.selectionSet ? selection : { ...selection, selectionSet: inner });
      } else {
        selections.push(selection);
      }
    }
    if (!changed) return selectionSet;
    if (selections.length === 0) selections.push(placeholder(EMPTY_SELECTION_ALIAS));
    if (isAbstractType(parent)) selections.push(placeholder(RUNTIME_TYPE_ALIAS));
    return { ...selectionSet, selections };
  };

  const definitions = document.definitions.map((definition) => {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      const root = schema.getRootType(definition.operation);
      if (!root) return definition;
      const selectionSet = filter(definition.selectionSet, root);
      return selectionSet === definition.selectionSet ? definition : ({ ...definition, selectionSet } satisfies OperationDefinitionNode);
    }
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      const condition = schema.getType(definition.typeCondition.name.value);
      if (!condition || !isCompositeType(condition)) return definition;
      const selectionSet = filter(definition.selectionSet, condition);
      return selectionSet === definition.selectionSet ? definition : ({ ...definition, selectionSet } satisfies FragmentDefinitionNode);
    }
    return definition;
  });
  return { refused, document: refused.size === 0 ? document : withoutUnused({ ...document, definitions }) };
}

/**
 * Drops the variable definitions and fragments nothing uses any more (a removed field was their
 * only user), so the document the planner gets is valid GraphQL again.
 */
function withoutUnused(document: DocumentNode): DocumentNode {
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const usedFragments = new Set<string>();
  const definitions = document.definitions.map((definition): DefinitionNode => {
    if (definition.kind !== Kind.OPERATION_DEFINITION) return definition;
    const variables = new Set<string>();
    const pending: ASTNode[] = [definition.selectionSet];
    while (pending.length > 0) {
      visit(pending.pop()!, {
        Variable: (node) => void variables.add(node.name.value),
        FragmentSpread: (node) => {
          if (usedFragments.has(node.name.value)) return;
          usedFragments.add(node.name.value);
          const fragment = fragments.get(node.name.value);
          if (fragment) pending.push(fragment);
        },
      });
    }
    // Variables used by directives on the operation itself stay as well.
    for (const directive of definition.directives ?? []) visit(directive, { Variable: (node) => void variables.add(node.name.value) });
    if (!definition.variableDefinitions) return definition;
    const operation: OperationDefinitionNode = {
      ...definition,
      variableDefinitions: definition.variableDefinitions.filter((d) => variables.has(d.variable.name.value)),
    };
    return operation;
  });
  return { ...document, definitions: definitions.filter((d) => d.kind !== Kind.FRAGMENT_DEFINITION || usedFragments.has(d.name.value)) };
}
