// The API schema clients see: the supergraph without its federation machinery (join__, link__,
// @inaccessible parts), printed in a stable order so two versions can be compared line by line.
import { Supergraph } from "@apollo/federation-internals";
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";

export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  // supportedFeatures: null — this only reads the schema; which features a gateway must enforce
  // (@requiresScopes is a SECURITY feature) is the gateway's business, not the printer's.
  return Supergraph.build(supergraphSdl, { supportedFeatures: null }).apiSchema().toGraphQLJSSchema();
}

export function printApiSchema(supergraphSdl: string): string {
  return printSchema(lexicographicSortSchema(apiSchemaOf(supergraphSdl))) + "\n";
}
