// Demand control: the supergraph's cost declarations, the estimator, and the limit applied to
// every operation (HTTP plugin, subscription validation rule).
export { EMPTY_COST_MODEL, readCostModel, supergraphCostModel, type CostModel, type ListSize } from "./costModel.js";
export { estimateCost, type CostEstimate, type CostEstimateOptions } from "./costEstimator.js";
export { OperationCosts } from "./operationCosts.js";
export { costLimitPlugin, costRefusal, maxCostRule, type CostLimitOptions } from "./costLimit.js";
