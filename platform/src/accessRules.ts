// The access a schema declares with Federation's `@authenticated` and `@requiresScopes`, read
// from SDL (a subgraph's own file, or the composed supergraph, which keeps both directives), and
// the one rule both the gateway and the subgraphs apply to it: a field needs what the field, its
// parent type and the type it returns declare.
import { getNamedType, isObjectType, isInterfaceType, Kind, valueFromASTUntyped, type DocumentNode, type GraphQLField, type GraphQLNamedType } from "graphql";
import type { ConstDirectiveNode } from "graphql";
import { isAuthenticated, satisfiesScopes } from "./authorization.js";
import type { Principal } from "./principal.js";

/** What one schema element declares: signed in, and every one of `scopes` (each an any-of list of all-of lists). */
export interface AccessRequirement {
  authenticated: boolean;
  /** Each entry is one `@requiresScopes(scopes:)` value; all of them must be met. */
  scopes: readonly (readonly (readonly string[])[])[];
}

export const NO_REQUIREMENT: AccessRequirement = Object.freeze({ authenticated: false, scopes: Object.freeze([]) });

export interface AccessRules {
  /** Type-level declarations, by type name. */
  types: ReadonlyMap<string, AccessRequirement>;
  /** Field-level declarations, by `Type.field`. */
  fields: ReadonlyMap<string, AccessRequirement>;
}

export type AccessDecision = "allowed" | "UNAUTHENTICATED" | "FORBIDDEN";

function requirementOf(directives: readonly ConstDirectiveNode[] | undefined): AccessRequirement | undefined {
  let authenticated = false;
  const scopes: string[][][] = [];
  for (const directive of directives ?? []) {
    if (directive.name.value === "authenticated") authenticated = true;
    if (directive.name.value === "requiresScopes") {
      const argument = directive.arguments?.find((a) => a.name.value === "scopes");
      const value = argument ? (valueFromASTUntyped(argument.value) as unknown) : [];
      if (Array.isArray(value)) scopes.push(value.map((allOf) => (Array.isArray(allOf) ? allOf.map(String) : [String(allOf)])));
    }
  }
  return authenticated || scopes.length > 0 ? { authenticated: authenticated || scopes.length > 0, scopes } : undefined;
}

function merge(into: Map<string, AccessRequirement>, key: string, requirement: AccessRequirement | undefined): void {
  if (!requirement) return;
  const known = into.get(key);
  into.set(key, known ? combine(known, requirement) : requirement);
}

export function combine(...requirements: (AccessRequirement | undefined)[]): AccessRequirement {
  const present = requirements.filter((r): r is AccessRequirement => r !== undefined && (r.authenticated || r.scopes.length > 0));
  if (present.length === 0) return NO_REQUIREMENT;
  if (present.length === 1) return present[0]!;
  return { authenticated: present.some((r) => r.authenticated), scopes: present.flatMap((r) => r.scopes) };
}

/** Reads the declarations from SDL (type definitions and extensions, object and interface types). */
export function readAccessRules(document: DocumentNode): AccessRules {
  const types = new Map<string, AccessRequirement>();
  const fields = new Map<string, AccessRequirement>();
  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
        merge(types, definition.name.value, requirementOf(definition.directives));
        for (const field of definition.fields ?? []) merge(fields, `${definition.name.value}.${field.name.value}`, requirementOf(field.directives));
        break;
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_DEFINITION:
        merge(types, definition.name.value, requirementOf(definition.directives));
        break;
      default:
        break;
    }
  }
  return { types, fields };
}

/**
 * What selecting `field` of `parent` needs: the field's own declaration, its parent type's (so an
 * entity fetched by key is guarded too) and the type it returns (as the Router reads a type-level
 * declaration: every field returning that type needs it).
 */
export function fieldRequirement(rules: AccessRules, parent: GraphQLNamedType, field: GraphQLField<unknown, unknown>): AccessRequirement {
  const returned = getNamedType(field.type);
  return combine(rules.types.get(parent.name), rules.fields.get(`${parent.name}.${field.name}`), rules.types.get(returned.name));
}

/** Whether a type or any of its implementations declares something for this field (interfaces). */
export function abstractFieldRequirement(
  rules: AccessRules,
  parent: GraphQLNamedType,
  field: GraphQLField<unknown, unknown>,
  implementations: readonly GraphQLNamedType[],
): AccessRequirement {
  const own = fieldRequirement(rules, parent, field);
  if (!isInterfaceType(parent)) return own;
  const more = implementations.filter(isObjectType).map((type) => {
    const implemented = type.getFields()[field.name];
    return implemented ? fieldRequirement(rules, type, implemented) : undefined;
  });
  return combine(own, ...more);
}

const decisions = new WeakMap<Principal, Map<AccessRequirement, AccessDecision>>();

/** The decision for one principal and requirement, remembered per (frozen, shared) principal. */
export function decideAccess(principal: Principal, requirement: AccessRequirement): AccessDecision {
  if (requirement === NO_REQUIREMENT) return "allowed";
  let perPrincipal = decisions.get(principal);
  if (!perPrincipal) decisions.set(principal, (perPrincipal = new Map()));
  let decision = perPrincipal.get(requirement);
  if (decision === undefined) {
    decision = !isAuthenticated(principal)
      ? "UNAUTHENTICATED"
      : requirement.scopes.every((anyOf) => satisfiesScopes(principal, anyOf))
        ? "allowed"
        : "FORBIDDEN";
    perPrincipal.set(requirement, decision);
  }
  return decision;
}

/**
 * What a requirement needs that `principal` lacks, for error messages: `a + b or c`, one clause
 * per unmet `@requiresScopes`, each once. Without a principal, every clause.
 */
export function describeRequirement(requirement: AccessRequirement, principal?: Principal): string {
  const unmet = requirement.scopes.filter((anyOf) => !principal || !satisfiesScopes(principal, anyOf));
  const clauses = [...new Set(unmet.map((anyOf) => anyOf.map((allOf) => allOf.join(" + ")).join(" or ")))];
  return clauses.length === 0 ? "a signed-in caller" : clauses.join(", and ");
}
