#!/usr/bin/env node
// The `crossdock` command: runs the compiled release (`npm run build` first). Workspace packages
// resolve to their dist/ through the release condition, so no TypeScript tooling is needed.
import module from "node:module";
import { RELEASE_CONDITION } from "./releaseConditions.js";

if (typeof module.registerHooks === "function") {
  // Node 22.15+ and 24: synchronous hooks in this thread.
  module.registerHooks({
    resolve: (specifier, context, nextResolve) => nextResolve(specifier, { ...context, conditions: [RELEASE_CONDITION, ...context.conditions] }),
  });
} else {
  module.register("./releaseConditions.js", import.meta.url);
}
try {
  await import("../dist/cli/cli.js");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("dist")) throw error;
  console.error("crossdock: the release is not built (run `npm run build`)");
  process.exit(1);
}
