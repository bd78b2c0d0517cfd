// Where the built console lives and how to build it: the launcher (and `crossdock gateway`) hand
// the directory to the gateway, which serves it at /console. Node-side only; the browser app is
// under src/app and reaches the hub through the public GraphQL API alone.
import { existsSync, statSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const CONSOLE_SOURCE_DIR = fileURLToPath(new URL("./app/", import.meta.url));
export const CONSOLE_DIST_DIR = fileURLToPath(new URL("../dist/", import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether dist/ is missing or older than a source file (a development checkout after an edit). */
export function consoleBuildIsStale(): boolean {
  const built = join(CONSOLE_DIST_DIR, "app.js");
  if (!existsSync(built)) return true;
  if (!existsSync(CONSOLE_SOURCE_DIR)) return false;
  return newestSource(CONSOLE_SOURCE_DIR) > statSync(built).mtimeMs;
}

/** Builds the console when its output is stale and returns the directory to serve. */
export async function ensureConsoleBuilt(): Promise<string> {
  if (consoleBuildIsStale()) {
    const { buildConsole } = await import("./build.js");
    await buildConsole();
  }
  return CONSOLE_DIST_DIR;
}
