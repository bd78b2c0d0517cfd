// Authorization at the gateway: operations are checked against the supergraph's @authenticated
// and @requiresScopes before planning (refused fields null with FORBIDDEN / UNAUTHENTICATED), and
// subscriptions' root fields before they open.
export { authorizingGateway, SupergraphAccessRules } from "./authorizingGateway.js";
export { authorizeOperation, type OperationAccess, type Refusal } from "./operationAccess.js";
export { refusalError, shapeRefusedFields } from "./refusedFields.js";
export { subscriptionAuthorizer, type SubscriptionAuthorizer } from "./subscriptionAccess.js";
export { withSecurityEnforcedByTheGateway } from "./securityFeatures.js";
