// Refuses an operation whose estimated cost exceeds CROSSDOCK_MAX_COST before any subgraph is
// called: COST_ESTIMATED_TOO_EXPENSIVE with the estimate and the limit in `extensions.cost`.
// As an Apollo plugin for queries and mutations (with their variables), and as a validation
// rule for subscriptions (variables unknown there: a variable reads as its declared default).
import { GraphQLError, type ValidationRule } from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";
import { crossdockError, ErrorCode } from "@crossdock/schema";
import { Counter, Histogram, type Registry } from "@crossdock/platform";
import type { OperationCosts } from "./operationCosts.js";

export interface CostLimitOptions {
  costs: OperationCosts;
  /** The most an operation may cost; 0 estimates (and measures) without refusing. */
  maxCost: number;
}

export function costRefusal(estimated: number, max: number): GraphQLError {
  return crossdockError(ErrorCode.COST_ESTIMATED_TOO_EXPENSIVE, `The operation's estimated cost ${estimated} exceeds the limit of ${max}`, {
    detail: { cost: { estimated, max } },
  });
}

export function costLimitPlugin(options: CostLimitOptions & { registry: Registry }): ApolloServerPlugin {
  const estimates = new Histogram({
    name: "crossdock_operation_estimated_cost",
    help: "Estimated cost of operations (demand control), before they run",
    buckets: [1, 10, 50, 100, 500, 1000, 5000, 10000, 50000],
    registers: [options.registry],
  });
  const refused = new Counter({ name: "crossdock_operation_cost_refused_total", help: "Operations refused as too expensive", registers: [options.registry] });
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operationName, request }) {
          const estimated = options.costs.estimate({ schema, document, operationName, variables: request.variables });
          if (estimated === undefined) return;
          estimates.observe(estimated);
          if (options.maxCost <= 0 || estimated <= options.maxCost) return;
          refused.inc();
          const refusal = costRefusal(estimated, options.maxCost);
          throw new GraphQLError(refusal.message, { extensions: { ...refusal.extensions, http: { status: 400 } } });
        },
      };
    },
  };
}

/** The same limit for subscription selections (the subscription transports validate with it). */
export function maxCostRule(options: CostLimitOptions): ValidationRule {
  return (context) => ({
    Document: {
      leave(document) {
        if (options.maxCost <= 0) return;
        const estimated = options.costs.estimate({ schema: context.getSchema(), document });
        if (estimated !== undefined && estimated > options.maxCost) context.reportError(costRefusal(estimated, options.maxCost));
      },
    },
  });
}
