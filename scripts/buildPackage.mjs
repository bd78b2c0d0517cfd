// `npm run build` in one workspace package: compiles src/**/*.ts to dist/ file by file (same
// layout, so paths like ../prisma/migrations resolve alike from src/ and dist/) and copies the
// .graphql files beside them. Types are checked by `npm run typecheck`, not here.
import { build } from "esbuild";
import { cpSync, existsSync, rmSync, statSync } from "node:fs";

if (!existsSync("src")) {
  console.error(`no src/ in ${process.cwd()}`);
  process.exit(1);
}
if (existsSync("prisma/schema.prisma") && !existsSync("src/__generated__")) {
  console.error(`${process.cwd()}: the Prisma client is not generated (npm run generate)`);
  process.exit(1);
}
rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: ["src/**/*.ts"],
  outdir: "dist",
  outbase: "src",
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "warning",
});
cpSync("src", "dist", { recursive: true, filter: (path) => statSync(path).isDirectory() || path.endsWith(".graphql") });
