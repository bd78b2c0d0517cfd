// The demand-control declarations of the supergraph: Federation's `@cost(weight:)` on types,
// fields and arguments, and `@listSize` on list and connection fields, read from the composed
// SDL (the API schema drops them). The estimator (costEstimator.ts) applies them.
import { isTypeDefinitionNode, isTypeExtensionNode, Kind, parse, valueFromASTUntyped, type ConstDirectiveNode, type DocumentNode } from "graphql";

export interface ListSize {
  /** Size assumed when no slicing argument gives one. */
  assumedSize?: number | undefined;
  /** Integer arguments that bound the list (`first`); the largest given one is its size. */
  slicingArguments: readonly string[];
  /** Child fields the size applies to instead of the field itself (a connection's `edges`). */
  sizedFields: readonly string[];
}

export interface CostModel {
  /** `@cost` on object, enum and scalar types, by type name. */
  types: ReadonlyMap<string, number>;
  /** `@cost` on fields, by `Type.field`. */
  fields: ReadonlyMap<string, number>;
  /** `@cost` on arguments, by `Type.field.argument`. */
  arguments: ReadonlyMap<string, number>;
  /** `@listSize`, by `Type.field`. */
  listSizes: ReadonlyMap<string, ListSize>;
}

export const EMPTY_COST_MODEL: CostModel = { types: new Map(), fields: new Map(), arguments: new Map(), listSizes: new Map() };

function argumentOf(directive: ConstDirectiveNode, name: string): unknown {
  const argument = directive.arguments?.find((a) => a.name.value === name);
  return argument ? valueFromASTUntyped(argument.value) : undefined;
}

function weightOf(directives: readonly ConstDirectiveNode[] | undefined): number | undefined {
  const cost = directives?.find((d) => d.name.value === "cost");
  const weight = cost ? argumentOf(cost, "weight") : undefined;
  return typeof weight === "number" ? weight : undefined;
}

function listSizeOf(directives: readonly ConstDirectiveNode[] | undefined): ListSize | undefined {
  const directive = directives?.find((d) => d.name.value === "listSize");
  if (!directive) return undefined;
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
  const assumedSize = argumentOf(directive, "assumedSize");
  return {
    assumedSize: typeof assumedSize === "number" ? assumedSize : undefined,
    slicingArguments: strings(argumentOf(directive, "slicingArguments")),
    sizedFields: strings(argumentOf(directive, "sizedFields")),
  };
}

/** Reads the declarations from SDL (definitions and extensions alike). */
export function readCostModel(document: DocumentNode): CostModel {
  const types = new Map<string, number>();
  const fields = new Map<string, number>();
  const args = new Map<string, number>();
  const listSizes = new Map<string, ListSize>();
  for (const definition of document.definitions) {
    if (!isTypeDefinitionNode(definition) && !isTypeExtensionNode(definition)) continue;
    const typeName = definition.name.value;
    const typeWeight = weightOf(definition.directives);
    if (typeWeight !== undefined) types.set(typeName, typeWeight);
    if (!("fields" in definition) || !definition.fields) continue;
    for (const field of definition.fields) {
      const coordinate = `${typeName}.${field.name.value}`;
      const weight = weightOf(field.directives);
      if (weight !== undefined) fields.set(coordinate, weight);
      if (field.kind !== Kind.FIELD_DEFINITION) continue;
      const size = listSizeOf(field.directives);
      if (size) listSizes.set(coordinate, size);
      for (const argument of field.arguments ?? []) {
        const argumentWeight = weightOf(argument.directives);
        if (argumentWeight !== undefined) args.set(`${coordinate}.${argument.name.value}`, argumentWeight);
      }
    }
  }
  return { types, fields, arguments: args, listSizes };
}

/** The declarations of the gateway's current supergraph (reloads included). */
export function supergraphCostModel(gateway: { onSchemaLoadOrUpdate(callback: (update: { coreSupergraphSdl: string }) => void): unknown }): () => CostModel {
  let current = EMPTY_COST_MODEL;
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    current = readCostModel(parse(coreSupergraphSdl));
  });
  return () => current;
}
