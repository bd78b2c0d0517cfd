// first-party-operations.json is the list of every operation the flows, the simulator and the ops console send,
// rebuilt here from their sources (each GraphQL operation written as a template literal) and
// compared with the committed file: a new or changed operation fails this test until
// `npx vitest run --project unit launcher/tests/firstPartyOperations.test.ts -u` rewrites it.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, relative } from "node:path";
import ts from "typescript";
import { buildASTSchema, getOperationAST, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { FIRST_PARTY_MANIFEST } from "../src/firstPartyOperations.js";
import { loadSupergraphSdl } from "@crossdock/schema";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SOURCES = [
  ...readdirSync(join(ROOT, "flows/src"), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => join(ROOT, "flows/src", file)),
  join(ROOT, "launcher/src/simulator.ts"),
  join(ROOT, "launcher/src/simulatorExceptions.ts"),
  ...readdirSync(join(ROOT, "console/src/app"), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => join(ROOT, "console/src/app", file)),
].sort();

/** Apollo's manifest: an operation's id is the sha256 (hex) of its body. */
const operationId = (body: string) => createHash("sha256").update(body).digest("hex");

/** The template literals of a file that are GraphQL operations (a literal with `${…}` never is one). */
function operationsIn(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isNoSubstitutionTemplateLiteral(node) && /^\s*(query|mutation|subscription)\b/.test(node.text)) found.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function firstPartyManifest() {
  const operations = SOURCES.flatMap((file) =>
    operationsIn(file).map((body, index) => {
      const operation = getOperationAST(parse(body));
      if (!operation) throw new Error(`${file}: an operation document must hold exactly one operation`);
      const where = relative(ROOT, file).replace(/\\/g, "/");
      return { id: operationId(body), name: operation.name?.value ?? `${where}#${index + 1}`, type: operation.operation, body };
    }),
  );
  // Two callers sending the same body share one entry (its id is the same).
  const seen = new Set<string>();
  const unique = operations.filter((operation) => !seen.has(operation.id) && seen.add(operation.id));
  return { format: "apollo-persisted-query-manifest", version: 1, operations: unique };
}

describe("the hub's first-party operations", () => {
  it("are all in first-party-operations.json", async () => {
    const manifest = firstPartyManifest();
    expect(manifest.operations.length).toBeGreaterThan(20);
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    await expect(text).toMatchFileSnapshot(FIRST_PARTY_MANIFEST);
  });

  it("are valid against the supergraph", () => {
    const schema = buildASTSchema(parse(loadSupergraphSdl()), { assumeValidSDL: true });
    for (const operation of firstPartyManifest().operations) {
      expect(validate(schema, parse(operation.body)).map((error) => `${operation.name}: ${error.message}`)).toEqual([]);
    }
  });
});
