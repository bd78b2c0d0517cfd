// Where the built console lives and how to build it: the launcher (and `crossdock gateway`) hand
// the directory to the gateway, which serves it at /console. Node-side only; the browser app is
// under src/app and reaches the hub through the public GraphQL API alone.
import { existsSync, statSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const CONSOLE_SOURCE_DIR = fileURLToPath(new URL("./app/", import.meta.url));
// Not dist/: the release build empties each package's dist/ and compiles into it, while hubs
// started meanwhile (tests) read these files; public/ is only ever replaced file by file.
export const CONSOLE_DIST_DIR = fileURLToPath(new URL("../public/", import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether public/ is missing or older than a source file (a development checkout after an edit). */
export function consoleBuildIsStale(): boolean {
  const built = join(CONSOLE_DIST_DIR, "app.js");
  if (!existsSync(built)) return true;
  if (!existsSync(CONSOLE_SOURCE_DIR)) return false;
  return newestSource(CONSOLE_SOURCE_DIR) > statSync(built).mtimeMs;
}

/**
 * The directory to serve. In development it first rebuilds a stale console (an edit since the last
 * build); a release serves what `npm run build` made and never needs the bundler at run time. A
 * release without a built console still gets the directory: the gateway warns once and answers
 * /console with 503 saying what is missing, rather than refusing to start.
 */
export async function ensureConsoleBuilt(options: { rebuild: boolean } = { rebuild: true }): Promise<string> {
  if (!options.rebuild) return CONSOLE_DIST_DIR;
  if (consoleBuildIsStale()) {
    const { buildConsole } = await import("./build.js");
    await buildConsole();
  }
  return CONSOLE_DIST_DIR;
}
