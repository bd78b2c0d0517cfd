// Every way into the graph declares who may use it: each root field (query, mutation,
// subscription) and each entity type (reachable through `_entities` by key) carries
// `@authenticated` or `@requiresScopes`, on itself or on what it returns. A field added without
// one would answer anonymous callers; this check fails first, naming it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildASTSchema, isObjectType, Kind, parse, type DocumentNode, type GraphQLSchema, type ObjectTypeDefinitionNode } from "graphql";
import { composeSupergraph, REPO_ROOT, SUBGRAPHS } from "@crossdock/schema";
import { fieldRequirement, NO_REQUIREMENT, readAccessRules, type AccessRules } from "../src/accessRules.js";

/** Entry points meant for anyone, signed in or not, each with the reason. None today. */
const PUBLIC_ENTRY_POINTS = new Map<string, string>();

interface Supergraph {
  document: DocumentNode;
  schema: GraphQLSchema;
  rules: AccessRules;
}

function composed(readSdl?: (sdlPath: string) => string): Supergraph {
  const result = composeSupergraph(SUBGRAPHS, REPO_ROOT, readSdl);
  if (!result.ok) throw new Error(result.errors.join("\n"));
  const document = parse(result.supergraphSdl);
  return { document, schema: buildASTSchema(document, { assumeValidSDL: true }), rules: readAccessRules(document) };
}

function undeclaredRootFields({ schema, rules }: Supergraph): string[] {
  const missing: string[] = [];
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const coordinate = `${root.name}.${field.name}`;
      if (PUBLIC_ENTRY_POINTS.has(coordinate)) continue;
      if (fieldRequirement(rules, root, field) === NO_REQUIREMENT) missing.push(coordinate);
    }
  }
  return missing;
}

/** Object types some subgraph resolves by key (`@join__type(key:)` in the supergraph). */
function entityTypes({ document }: Supergraph): string[] {
  return document.definitions
    .filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION)
    .filter((d) => (d.directives ?? []).some((dir) => dir.name.value === "join__type" && dir.arguments?.some((a) => a.name.value === "key")))
    .map((d) => d.name.value);
}

describe("declared access", () => {
  const supergraph = composed();

  it("reads the subgraphs' own SDL files, which carry the declarations the subgraphs enforce", () => {
    for (const subgraph of SUBGRAPHS) {
      const sdl = readFileSync(join(REPO_ROOT, subgraph.sdlPath), "utf8");
      expect(sdl, subgraph.name).toMatch(/@requiresScopes|@authenticated/);
    }
  });

  it("every root field declares who may use it", () => {
    expect(Object.keys(supergraph.schema.getQueryType()!.getFields()).length).toBeGreaterThan(10);
    expect(undeclaredRootFields(supergraph)).toEqual([]);
  });

  it("every entity type declares who may fetch it by key", () => {
    const entities = entityTypes(supergraph);
    expect(entities.length).toBeGreaterThan(5);
    const undeclared = entities.filter((name) => {
      const type = supergraph.schema.getType(name);
      return isObjectType(type) && !PUBLIC_ENTRY_POINTS.has(name) && supergraph.rules.types.get(name) === undefined;
    });
    expect(undeclared).toEqual([]);
  });

  it("catches a root field added without a declaration", () => {
    const edited = composed((path) => {
      const sdl = readFileSync(join(REPO_ROOT, path), "utf8");
      return path === SUBGRAPHS[0]!.sdlPath ? `${sdl}\nextend type Query { leakyCount: Int }\n` : sdl;
    });
    expect(undeclaredRootFields(edited)).toEqual(["Query.leakyCount"]);
  });
});
