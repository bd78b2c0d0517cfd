// Bundles the browser app (Preact + htm, no JSX step) into public/: one script, one stylesheet, one
// page. Every asset is served by the hub itself, so the console works on an isolated network.
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { CONSOLE_DIST_DIR, CONSOLE_SOURCE_DIR } from "./assets.js";

const OUTPUTS = ["app.js", "console.css", "index.html"];

/**
 * Builds into a scratch directory, then renames each file into place: hubs starting side by side
 * (test workers) may build at once, and each reader sees a whole old file or a whole new one.
 */
export async function buildConsole(outDir: string = CONSOLE_DIST_DIR): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const scratch = mkdtempSync(join(outDir, ".build-"));
  try {
    await bundle(scratch);
    for (const name of OUTPUTS) renameSync(join(scratch, name), join(outDir, name));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function bundle(outDir: string): Promise<void> {
  await build({
    entryPoints: [join(CONSOLE_SOURCE_DIR, "main.ts")],
    outfile: join(outDir, "app.js"),
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    sourcemap: false,
    legalComments: "none",
    logLevel: "warning",
  });
  copyFileSync(join(CONSOLE_SOURCE_DIR, "index.html"), join(outDir, "index.html"));
  copyFileSync(join(CONSOLE_SOURCE_DIR, "console.css"), join(outDir, "console.css"));
}
