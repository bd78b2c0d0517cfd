// The cost of each operation the gateway sees, cached per document (and per variables only
// when the estimate read one), so a repeated operation costs one map lookup on the hot path.
// The model follows the supergraph: a reload brings new declarations and a fresh cache.
import type { DocumentNode, GraphQLSchema } from "graphql";
import type { CostModel } from "./costModel.js";
import { estimateCost } from "./costEstimator.js";

interface PerDocument {
  /** Operation name -> its cost when it read no variable. */
  fixed: Map<string, number>;
  /** Operation name + variables -> its cost, for estimates that read variables (bounded). */
  byVariables: Map<string, number>;
}

const MAX_VARIABLE_ENTRIES = 64;

export interface OperationCostsOptions {
  /** The supergraph's declarations, current with the gateway's schema. */
  model: () => CostModel;
  defaultListSize: number;
}

export class OperationCosts {
  private cache = new WeakMap<DocumentNode, PerDocument>();
  private cachedModel: CostModel | undefined;

  constructor(private readonly options: OperationCostsOptions) {}

  estimate(args: {
    schema: GraphQLSchema;
    document: DocumentNode;
    operationName?: string | null | undefined;
    variables?: Readonly<Record<string, unknown>> | null | undefined;
  }): number | undefined {
    const model = this.options.model();
    if (model !== this.cachedModel) {
      this.cachedModel = model;
      this.cache = new WeakMap();
    }
    let perDocument = this.cache.get(args.document);
    if (!perDocument) this.cache.set(args.document, (perDocument = { fixed: new Map(), byVariables: new Map() }));
    const name = args.operationName ?? "";
    const fixed = perDocument.fixed.get(name);
    if (fixed !== undefined) return fixed;
    const variablesKey = `${name}\n${JSON.stringify(args.variables ?? {})}`;
    const known = perDocument.byVariables.get(variablesKey);
    if (known !== undefined) return known;
    const estimate = estimateCost({ ...args, model, defaultListSize: this.options.defaultListSize });
    if (!estimate) return undefined;
    if (!estimate.dependsOnVariables) perDocument.fixed.set(name, estimate.cost);
    else {
      if (perDocument.byVariables.size >= MAX_VARIABLE_ENTRIES) perDocument.byVariables.delete(perDocument.byVariables.keys().next().value!);
      perDocument.byVariables.set(variablesKey, estimate.cost);
    }
    return estimate.cost;
  }
}
