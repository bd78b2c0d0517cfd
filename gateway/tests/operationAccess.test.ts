// The gateway's check before planning on a small schema with an interface and a union: which
// fields leave the document, what the placeholders keep valid, and how the answer is shaped back
// (nulls, errors at each path, non-null refusals nulling their parent, skipped fields left out).
import { describe, expect, it } from "vitest";
import { buildSchema, parse, print, validate, getOperationAST, Kind, type FragmentDefinitionNode } from "graphql";
import { readAccessRules, type Principal } from "@crossdock/platform";
import { authorizeOperation, shapeRefusedFields } from "../src/authorization/index.js";

const SDL = `
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  type Query {
    items: [Item!]!
    search: [Result!]!
    secret: Secret @requiresScopes(scopes: [["secret:read"]])
    hello: String
    me: String @authenticated
  }
  interface Item { id: ID! }
  type Book implements Item { id: ID! title: String! price: Int! @requiresScopes(scopes: [["finance:read"]]) }
  type Film implements Item { id: ID! title: String! }
  union Result = Book | Film
  type Secret @requiresScopes(scopes: [["secret:read"]]) { value: String }
`;
const schema = buildSchema(SDL);
const rules = readAccessRules(parse(SDL));
const reader: Principal = { kind: "user", subject: "reader", scopes: [] };

function run(query: string, principal: Principal, data: Record<string, unknown>, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const access = authorizeOperation({ schema, rules, principal, document });
  expect(validate(schema, access.document)).toEqual([]);
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const shaped = shapeRefusedFields(data, { schema, operation: getOperationAST(document)!, fragments, variables, refused: access.refused });
  return { sent: print(access.document), ...shaped, errors: shaped.errors.map((e) => ({ code: e.extensions.code, path: e.path?.join(".") })) };
}

describe("the gateway's check before planning", () => {
  it("removes a refused field of an implementation and nulls its parent item when it is non-null", () => {
    const result = run(`{ items { id ... on Book { title price } } hello }`, reader, {
      items: [
        { id: "1", title: "A", __crossdockRuntimeType: "Book" },
        { id: "2", __crossdockRuntimeType: "Film" },
      ],
      hello: "hi",
    });
    expect(result.sent).not.toContain("price");
    expect(result.sent).toContain("__crossdockRuntimeType: __typename");
    // price is Int! on a Book: that item is null, and items is [Item!]!, so the whole list and then data null.
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([{ code: "FORBIDDEN", path: "items.0.price" }]);
  });

  it("a refused type-level field reads null, siblings intact; an empty selection keeps a placeholder", () => {
    const result = run(`{ secret { value } hello search { ... on Film { title } } }`, reader, {
      hello: "hi",
      search: [{ title: "F", __crossdockRuntimeType: "Film" }, { __crossdockRuntimeType: "Book" }],
    });
    expect(result.sent).not.toContain("secret");
    expect(result.data).toEqual({ secret: null, hello: "hi", search: [{ title: "F" }, {}] });
    expect(result.errors).toEqual([{ code: "FORBIDDEN", path: "secret" }]);
    const onlyRefused = run(`{ secret { value } }`, reader, { __crossdockRefusedAll: "Query" });
    expect(onlyRefused.sent).toContain("__crossdockRefusedAll: __typename");
    expect(onlyRefused.data).toEqual({ secret: null });
  });

  it("anonymous callers get UNAUTHENTICATED; a skipped refused field is left out", () => {
    const anonymous: Principal = { kind: "anonymous", subject: "anonymous", scopes: [] };
    const result = run(`query($skip: Boolean!) { me hello secret @skip(if: $skip) { value } }`, anonymous, { hello: "hi" }, { skip: true });
    expect(result.data).toEqual({ me: null, hello: "hi" });
    expect(result.errors).toEqual([{ code: "UNAUTHENTICATED", path: "me" }]);
  });

  it("runs the document unchanged when nothing is refused", () => {
    const document = parse(`{ items { id ... on Book { price } } secret { value } }`);
    const access = authorizeOperation({ schema, rules, principal: { kind: "user", subject: "x", scopes: ["finance:read", "secret:read"] }, document });
    expect(access.refused.size).toBe(0);
    expect(access.document).toBe(document);
  });
});
