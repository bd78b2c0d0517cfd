// Subscriptions go through the same check as queries, before they open: a subscription whose
// root field (or any field it selects) the caller may not read is refused as a whole with
// FORBIDDEN (UNAUTHENTICATED for an anonymous caller), so no event of it is ever resolved.
import type { DocumentNode, GraphQLError, GraphQLSchema } from "graphql";
import type { Principal } from "@crossdock/platform";
import type { SupergraphAccessRules } from "./authorizingGateway.js";
import { authorizeOperation } from "./operationAccess.js";
import { refusalError } from "./refusedFields.js";

export type SubscriptionAuthorizer = (document: DocumentNode, principal: Principal) => readonly GraphQLError[];

export function subscriptionAuthorizer(schema: () => GraphQLSchema, access: SupergraphAccessRules): SubscriptionAuthorizer {
  return (document, principal) => {
    const { refused } = authorizeOperation({ schema: schema(), rules: access.rules, principal, document });
    const byCoordinate = new Map([...refused.values()].map((refusal) => [refusal.coordinate, refusal]));
    return [...byCoordinate.values()].map((refusal) => refusalError(refusal, undefined));
  };
}
