import { describe, expect, it } from "vitest";
import { buildSchema, parse, specifiedRules, validate } from "graphql";
import { maxDepthRule } from "../src/limits/queryDepth.js";
import { maxAliasesRule } from "../src/limits/aliasCount.js";

const schema = buildSchema(`type Query { node: Node } type Node { id: ID child: Node }`);
const check = (query: string, rules = [maxDepthRule(3), maxAliasesRule(2)]) =>
  validate(schema, parse(query), [...specifiedRules, ...rules]).map((e) => e.extensions.code as string);

describe("gateway limit rules", () => {
  it("counts depth through fields, inline fragments and named fragments", () => {
    expect(check(`{ node { child { id } } }`)).toEqual([]);
    expect(check(`{ node { child { child { id } } } }`)).toEqual(["QUERY_TOO_DEEP"]);
    expect(check(`{ node { ...F } } fragment F on Node { child { child { id } } }`)).toEqual(["QUERY_TOO_DEEP"]);
    expect(check(`{ node { ... on Node { child { child { id } } } } }`)).toEqual(["QUERY_TOO_DEEP"]);
    expect(check(`{ __schema { types { fields { type { name } } } } }`, [maxDepthRule(3)])).toEqual([]);
  });

  it("limits aliases per operation and reports once", () => {
    expect(check(`{ a: node { id } b: node { id } }`)).toEqual([]);
    expect(check(`{ a: node { id } b: node { id } c: node { id } d: node { id } }`)).toEqual(["TOO_MANY_ALIASES"]);
  });
});
