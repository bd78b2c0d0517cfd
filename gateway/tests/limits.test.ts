import { describe, expect, it } from "vitest";
import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate } from "graphql";
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
  });

  it("holds introspection to a depth limit of its own, which the standard introspection query fits", () => {
    const everyOption = {
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    };
    expect(check(getIntrospectionQuery(everyOption), [maxDepthRule(12)])).toEqual([]);
    expect(check(`{ __schema { types { fields { type { name } } } } }`, [maxDepthRule(3, 4)])).toEqual(["QUERY_TOO_DEEP"]);
    expect(check(`{ __type(name: "Node") { fields { type { fields { type { name } } } } } }`, [maxDepthRule(3, 5)])).toEqual(["QUERY_TOO_DEEP"]);
    // Reached through a fragment spread at the root, introspection is still introspection.
    expect(check(`{ ...Q } fragment Q on Query { __schema { types { fields { type { name } } } } }`, [maxDepthRule(3, 4)])).toEqual(["QUERY_TOO_DEEP"]);
    expect(check(`{ __typename node { __typename } }`, [maxDepthRule(2)])).toEqual([]);
  });

  it("stays linear for fragments that spread each other many times over", () => {
    // Each fragment spreads the next twice: a naive walk would visit 2^40 paths and never finish.
    const fragments = Array.from({ length: 40 }, (_, i) =>
      i === 39 ? `fragment F${i} on Node { id }` : `fragment F${i} on Node { ...F${i + 1} ... on Node { ...F${i + 1} } }`,
    );
    expect(check(`{ node { ...F0 } } ${fragments.join(" ")}`, [maxDepthRule(3)])).toEqual([]);
    expect(check(`{ node { child { ...F0 } } } ${fragments.join(" ")}`, [maxDepthRule(1)])).toEqual(["QUERY_TOO_DEEP"]);
  });

  it("limits aliases per operation and reports once", () => {
    expect(check(`{ a: node { id } b: node { id } }`)).toEqual([]);
    expect(check(`{ a: node { id } b: node { id } c: node { id } d: node { id } }`)).toEqual(["TOO_MANY_ALIASES"]);
  });

  it("counts a fragment's aliases once per spread, through nested fragments", () => {
    const fragment = `fragment F on Node { x: id }`;
    expect(check(`{ node { ...F } } ${fragment}`)).toEqual([]);
    expect(check(`{ node { ...F child { ...F } } } ${fragment}`)).toEqual([]);
    expect(check(`{ node { ...F child { ...F child { ...F } } } } ${fragment}`, [maxAliasesRule(2)])).toEqual(["TOO_MANY_ALIASES"]);
    expect(check(`{ node { ...G ...G } } fragment G on Node { ...F ... on Node { y: id } } ${fragment}`, [maxAliasesRule(3)])).toEqual(["TOO_MANY_ALIASES"]);
    // Each fragment spreads the next twice: 2^30 aliases, counted without walking them.
    const chain = Array.from({ length: 30 }, (_, i) =>
      i === 29 ? `fragment A${i} on Node { x: id }` : `fragment A${i} on Node { ...A${i + 1} ...A${i + 1} }`,
    );
    expect(check(`{ node { ...A0 } } ${chain.join(" ")}`, [maxAliasesRule(1000)])).toEqual(["TOO_MANY_ALIASES"]);
  });
});
