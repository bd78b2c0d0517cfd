// A lint rule that keeps package boundaries: a relative import must stay inside its own workspace
// package, and another package is imported by its name and public entry points only, never its
// src/ or dist/ internals. Shared test support comes from @crossdock/test the same way.
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PACKAGE_DIRS = [
  "schema",
  "platform",
  "subgraphs/erp",
  "subgraphs/crm",
  "subgraphs/wms",
  "cdc-ingest",
  "flows",
  "gateway",
  "launcher",
  "test",
  "bench",
].map((dir) => path.join(ROOT, dir));

function packageOf(file) {
  return PACKAGE_DIRS.find((dir) => file === dir || file.startsWith(dir + path.sep)) ?? null;
}

function check(context, node) {
  const specifier = node.source?.value;
  if (typeof specifier !== "string") return;
  if (/^@crossdock\/[^/]+\/(src|dist)(\/|$)/.test(specifier)) {
    context.report({
      node: node.source,
      message: `Import ${specifier.split("/").slice(0, 2).join("/")} by its public entry points, not its src/ or dist/ internals`,
    });
    return;
  }
  if (!specifier.startsWith(".")) return;
  const from = packageOf(context.filename);
  const to = packageOf(path.resolve(path.dirname(context.filename), specifier));
  if (from !== to) {
    const target = to ? path.relative(ROOT, to) : "outside any package";
    context.report({ node: node.source, message: `A relative import must not leave its package (this one reaches ${target}); import the package by name` });
  }
}

export const packageBoundaries = {
  rules: {
    "package-boundaries": {
      meta: {
        type: "problem",
        docs: { description: "Relative imports stay inside their package; packages are imported by name, not by their internals" },
        schema: [],
      },
      create(context) {
        return {
          ImportDeclaration: (node) => check(context, node),
          ExportNamedDeclaration: (node) => check(context, node),
          ExportAllDeclaration: (node) => check(context, node),
          ImportExpression: (node) => typeof node.source?.value === "string" && check(context, node),
        };
      },
    },
  },
};
