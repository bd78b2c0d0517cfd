// Defence in depth: a subgraph enforces the `@authenticated` / `@requiresScopes` declarations of
// its own SDL itself, from the signed principal in its context, so a caller that reaches it
// directly (or a gateway that failed to check) gets nothing more than through the gateway.
import { defaultFieldResolver, isObjectType, type GraphQLError, type DocumentNode, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import { crossdockError, ErrorCode } from "@crossdock/schema";
import { decideAccess, describeRequirement, fieldRequirement, NO_REQUIREMENT, readAccessRules, type AccessRequirement } from "./accessRules.js";
import { ANONYMOUS, type Principal } from "./principal.js";

interface EntitiesArgs {
  representations: { __typename: string }[];
}

interface WithPrincipal {
  principal?: Principal;
}

function refusal(requirement: AccessRequirement, decision: "UNAUTHENTICATED" | "FORBIDDEN", what: string, principal: Principal) {
  return decision === "UNAUTHENTICATED"
    ? crossdockError(ErrorCode.UNAUTHENTICATED, `Sign in to read ${what}`)
    : crossdockError(ErrorCode.FORBIDDEN, `${what} needs the scope ${describeRequirement(requirement, principal)}`);
}

/** Throws UNAUTHENTICATED or FORBIDDEN when `principal` does not meet `requirement`. */
export function assertAccess(principal: Principal | undefined, requirement: AccessRequirement, what: string): void {
  const caller = principal ?? ANONYMOUS;
  const decision = decideAccess(caller, requirement);
  if (decision !== "allowed") throw refusal(requirement, decision, what, caller);
}

/**
 * Wraps the resolvers of `schema` (built from `typeDefs`) so every field declared (on itself, its
 * type or the type it returns) checks the context's principal first, default resolvers included.
 * `_entities` refuses each representation of a guarded type on its own, before any resolver loads
 * it, so one refused entity does not fail the others.
 */
export function applySchemaAuthorization(schema: GraphQLSchema, typeDefs: DocumentNode): GraphQLSchema {
  const rules = readAccessRules(typeDefs);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      const requirement = fieldRequirement(rules, type, field);
      if (requirement === NO_REQUIREMENT) continue;
      const resolve: GraphQLFieldResolver<unknown, WithPrincipal> = field.resolve ?? defaultFieldResolver;
      const what = `${type.name}.${field.name}`;
      field.resolve = (source, args, context, info) => {
        assertAccess(context?.principal, requirement, what);
        return resolve(source, args, context, info);
      };
    }
  }
  const entities = schema.getQueryType()?.getFields()["_entities"];
  if (entities) {
    const resolve: GraphQLFieldResolver<unknown, WithPrincipal, EntitiesArgs> = entities.resolve ?? defaultFieldResolver;
    entities.resolve = (source, args: EntitiesArgs, context: WithPrincipal, info) => {
      const principal = context?.principal ?? ANONYMOUS;
      const refused = args.representations.map((representation): GraphQLError | undefined => {
        const requirement = rules.types.get(representation.__typename);
        const decision = requirement ? decideAccess(principal, requirement) : "allowed";
        return decision === "allowed" ? undefined : refusal(requirement!, decision, representation.__typename, principal);
      });
      if (refused.every((r) => r === undefined)) return resolve(source, args, context, info);
      const allowed = args.representations.filter((_, index) => refused[index] === undefined);
      const answer = allowed.length > 0 ? resolve(source, { ...args, representations: allowed }, context, info) : [];
      const splice = (values: unknown[]) => {
        let next = 0;
        return refused.map((error) => error ?? values[next++]);
      };
      return answer instanceof Promise ? answer.then((values: unknown[]) => splice(values)) : splice(answer as unknown[]);
    };
  }
  return schema;
}
