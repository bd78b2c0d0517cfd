// Generates the Prisma client of every package that has prisma/schema.prisma.
// The Prisma CLI insists on a schema-engine binary it would download from outside
// the npm registry; `generate` never executes it, so any existing file satisfies it.
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const packages = ["subgraphs/erp", "subgraphs/crm", "subgraphs/wms", "cdc-ingest"];
const prismaBin = join(root, "node_modules", ".bin", "prisma");
if (!existsSync(prismaBin)) {
  console.log("prisma CLI not installed yet; skipping client generation");
  process.exit(0);
}
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const placeholder = join(tmpdir(), "crossdock-prisma-schema-engine-placeholder");
  mkdirSync(dirname(placeholder), { recursive: true });
  if (!existsSync(placeholder)) writeFileSync(placeholder, "");
  env.PRISMA_SCHEMA_ENGINE_BINARY = placeholder;
}
for (const pkg of packages) {
  const schema = join(root, pkg, "prisma", "schema.prisma");
  if (!existsSync(schema)) continue;
  execFileSync(prismaBin, ["generate", "--schema", schema], { cwd: join(root, pkg), env, stdio: ["ignore", "ignore", "inherit"] });
  console.log(`prisma client generated for ${pkg}`);
}
