// Schema change checks on the real supergraph: a removed field, a retyped field, a new required
// argument and a removed enum value are breaking until approved with a reason; additions are safe.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { composeSupergraph, REPO_ROOT, SUBGRAPHS } from "../src/compose.js";
import { printApiSchema } from "../src/apiSchema.js";
import { changelogEntry, compareApiSchemas, parseApprovals } from "../src/schemaChanges.js";

const composed = composeSupergraph();
if (!composed.ok) throw new Error(composed.errors.join("\n"));
const current = printApiSchema(composed.supergraphSdl);

/** The API schema composed with one subgraph's SDL edited in memory (the files stay as they are). */
function composedWith(subgraph: string, edit: (sdl: string) => string): string {
  const target = SUBGRAPHS.find((s) => s.name === subgraph)!;
  const read = (sdlPath: string) => readFileSync(join(REPO_ROOT, sdlPath), "utf8");
  const edited = edit(read(target.sdlPath));
  expect(edited).not.toBe(read(target.sdlPath));
  const result = composeSupergraph(SUBGRAPHS, REPO_ROOT, (sdlPath) => (sdlPath === target.sdlPath ? edited : read(sdlPath)));
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return printApiSchema(result.supergraphSdl);
}

describe("schema change checks", () => {
  it("the released API schema is the one composed now, or differs only by safe changes", async () => {
    const released = readFileSync(new URL("../released/api.graphql", import.meta.url), "utf8");
    const report = await compareApiSchemas({ released, next: current });
    expect(report.unapproved).toEqual([]);
  });

  it("a removed field is breaking until approved with a reason, and the approval shows in the changelog", async () => {
    const next = composedWith("erp", (sdl) => sdl.replace(/^\s*placedAt: DateTime!.*$/m, ""));
    const refused = await compareApiSchemas({ released: current, next });
    expect(refused.unapproved.map((c) => c.id)).toEqual(["FIELD_REMOVED Order.placedAt"]);
    const approvals = parseApprovals(JSON.stringify([{ change: "FIELD_REMOVED Order.placedAt", reason: "replaced by createdAt" }]));
    const accepted = await compareApiSchemas({ released: current, next, approvals });
    expect(accepted.unapproved).toEqual([]);
    expect(accepted.breaking.map((c) => c.id)).toEqual(["FIELD_REMOVED Order.placedAt"]);
    expect(changelogEntry(accepted, approvals, new Date(0))).toContain("(approved: replaced by createdAt)");
  });

  it("a retyped field, a new required argument and a removed enum value are breaking; an added field is safe", async () => {
    const next = composedWith("erp", (sdl) =>
      sdl
        .replace(/^(\s*)placedAt: DateTime!/m, "$1placedAt: String!")
        .replace(/^(\s*)order\(orderNumber: ID!\)/m, "$1order(orderNumber: ID!, region: String!)")
        .replace(/^(\s*)CREDIT_HOLD\s*$/m, "")
        .replace(/^(\s*)placedAt: String!/m, "$1placedAt: String!\n$1promisedAt: DateTime"),
    );
    const report = await compareApiSchemas({ released: current, next });
    const ids = report.unapproved.map((c) => c.id);
    expect(ids).toContain("FIELD_TYPE_CHANGED Order.placedAt");
    expect(ids).toContain("FIELD_ARGUMENT_ADDED Query.order.region");
    expect(ids.some((id) => id.startsWith("ENUM_VALUE_REMOVED") && id.endsWith(".CREDIT_HOLD"))).toBe(true);
    expect(report.safe.map((c) => c.id)).toContain("FIELD_ADDED Order.promisedAt");
  });

  it("refuses an approval without a reason", () => {
    expect(() => parseApprovals(JSON.stringify([{ change: "FIELD_REMOVED Order.placedAt" }]))).toThrow(/reason is required/);
    expect(() => parseApprovals("{}")).toThrow(/JSON array/);
  });
});
