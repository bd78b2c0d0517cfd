// The gateway's authorization before planning: wraps @apollo/gateway's executor so every
// operation is checked against the supergraph's @authenticated / @requiresScopes for the
// caller's principal first. Refused fields leave the document (the planner never sees them, no
// subgraph is asked for them) and come back null with their errors; the rest runs as usual.
import { createHash } from "node:crypto";
import { GraphQLError, Kind, parse, print, getOperationAST, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";
import type { GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface } from "@apollo/server-gateway-interface";
import { ANONYMOUS, readAccessRules, type AccessRules, type Principal } from "@crossdock/platform";
import { authorizeOperation, type OperationAccess } from "./operationAccess.js";
import { refusalError, shapeRefusedFields } from "./refusedFields.js";

/** What the executor needs of a checked operation, remembered per document and scopes. */
interface CheckedOperation extends OperationAccess {
  source: string;
  queryHash: string;
  operation: OperationDefinitionNode | null;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
}

/** The supergraph's declarations, current with the gateway's schema (reloads included). */
export class SupergraphAccessRules {
  private current: AccessRules | undefined;

  constructor(gateway: Pick<GatewayInterface, "onSchemaLoadOrUpdate">) {
    gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
      this.current = readAccessRules(parse(coreSupergraphSdl));
    });
  }

  get rules(): AccessRules {
    if (!this.current) throw new Error("the gateway has not loaded its supergraph yet");
    return this.current;
  }
}

const principalKey = (principal: Principal): string => `${principal.kind === "anonymous" ? "-" : "+"}${[...principal.scopes].sort().join(" ")}`;

/** Wraps `gateway` (as Apollo Server's `gateway` option) so its executor authorizes first. */
export function authorizingGateway(gateway: GatewayInterface, access: SupergraphAccessRules = new SupergraphAccessRules(gateway)): GatewayInterface {
  const checked = new WeakMap<DocumentNode, Map<string, CheckedOperation>>();
  const check = (requestContext: GatewayGraphQLRequestContext, principal: Principal): CheckedOperation => {
    const original = requestContext.document;
    let perDocument = checked.get(original);
    if (!perDocument) checked.set(original, (perDocument = new Map()));
    const key = `${principalKey(principal)}\n${requestContext.operationName ?? ""}`;
    let entry = perDocument.get(key);
    if (!entry) {
      const result = authorizeOperation({ schema: requestContext.schema, rules: access.rules, principal, document: original });
      const source = result.refused.size === 0 ? requestContext.source : print(result.document);
      entry = {
        ...result,
        source,
        queryHash: result.refused.size === 0 ? requestContext.queryHash : createHash("sha256").update(source).digest("hex"),
        operation: getOperationAST(original, requestContext.operationName ?? undefined) ?? null,
        fragments: new Map(original.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d])),
      };
      if (perDocument.size >= 50) perDocument.delete(perDocument.keys().next().value!);
      perDocument.set(key, entry);
    }
    return entry;
  };

  const wrap =
    (executor: GatewayExecutor): GatewayExecutor =>
    async (requestContext) => {
      const principal = (requestContext.context as { principal?: Principal }).principal ?? ANONYMOUS;
      const operation = check(requestContext, principal);
      if (operation.refused.size === 0) return executor(requestContext);
      // Fields were refused but the operation cannot be found again (Apollo validates the name
      // first, so this should not happen): refuse the whole request rather than run it unfiltered.
      if (!operation.operation) return { errors: [new GraphQLError("Operation refused", { extensions: { code: "FORBIDDEN" } })] };
      const result = await executor({
        ...requestContext,
        document: operation.document,
        source: operation.source,
        queryHash: operation.queryHash,
        operation: getOperationAST(operation.document, requestContext.operationName ?? undefined) ?? requestContext.operation,
        request: { ...requestContext.request, query: operation.source },
      });
      if (!result.data) {
        // Nothing to shape (the rest failed as a whole): the refusals are still reported, once per field.
        const byCoordinate = new Map([...operation.refused.values()].map((refusal) => [refusal.coordinate, refusal]));
        return { ...result, errors: [...[...byCoordinate.values()].map((refusal) => refusalError(refusal, undefined)), ...(result.errors ?? [])] };
      }
      const shaped = shapeRefusedFields(result.data, {
        schema: requestContext.schema,
        operation: operation.operation,
        fragments: operation.fragments,
        variables: requestContext.request.variables ?? {},
        refused: operation.refused,
      });
      return { ...result, data: shaped.data, errors: [...shaped.errors, ...(result.errors ?? [])] };
    };

  return {
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    async load(options) {
      const loaded = await gateway.load(options);
      return { ...loaded, executor: loaded.executor && wrap(loaded.executor) };
    },
    stop: () => gateway.stop(),
  };
}
