// Supergraph composition: the subgraphs' SDL files -> @apollo/composition -> one supergraph
// SDL. Returns a result union instead of throwing, so the CLI and CI can print every error.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

export interface SubgraphSource {
  /** Name in the supergraph (join__Graph); the gateway maps it to a URL at run time. */
  name: string;
  /** Path of the SDL file relative to the repository root. */
  sdlPath: string;
}

/** Every subgraph of the hub, in a fixed order so the supergraph is reproducible. */
export const SUBGRAPHS: readonly SubgraphSource[] = [
  { name: "erp", sdlPath: "subgraphs/erp/src/schema.graphql" },
  { name: "crm", sdlPath: "subgraphs/crm/src/schema.graphql" },
  { name: "wms", sdlPath: "subgraphs/wms/src/schema.graphql" },
  { name: "ops", sdlPath: "cdc-ingest/src/ops/schema.graphql" },
  { name: "flows", sdlPath: "flows/src/schema.graphql" },
];

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const SUPERGRAPH_PATH = join(REPO_ROOT, "schema", "supergraph.graphql");

export type CompositionResult = { ok: true; supergraphSdl: string; hints: string[] } | { ok: false; errors: string[] };

/** The URL written into the supergraph for a subgraph; never dialled (the gateway maps names to its configured URLs). */
export function placeholderUrl(name: string): string {
  return `http://${name}.crossdock.internal/graphql`;
}

/**
 * Composes the subgraphs' SDL files. `readSdl` reads one of them by its path (tests pass edited
 * SDL through it to see what a change would compose to, without touching the files).
 */
export function composeSupergraph(
  subgraphs: readonly SubgraphSource[] = SUBGRAPHS,
  root = REPO_ROOT,
  readSdl: (sdlPath: string) => string = (sdlPath) => readFileSync(join(root, sdlPath), "utf8"),
): CompositionResult {
  const services = [];
  for (const subgraph of subgraphs) {
    let sdl: string;
    try {
      sdl = readSdl(subgraph.sdlPath);
    } catch {
      return { ok: false, errors: [`${subgraph.name}: cannot read ${subgraph.sdlPath}`] };
    }
    try {
      services.push({ name: subgraph.name, url: placeholderUrl(subgraph.name), typeDefs: parse(sdl) });
    } catch (error) {
      return { ok: false, errors: [`${subgraph.name}: ${(error as Error).message}`] };
    }
  }
  const result = composeServices(services);
  if (result.errors || !result.supergraphSdl) {
    return { ok: false, errors: (result.errors ?? []).map((e) => `${e.extensions.code ?? "COMPOSITION"}: ${e.message}`) };
  }
  return { ok: true, supergraphSdl: result.supergraphSdl, hints: (result.hints ?? []).map((h) => h.toString()) };
}

/** The committed supergraph the gateway serves (no runtime introspection of subgraphs). */
export function loadSupergraphSdl(path = SUPERGRAPH_PATH): string {
  return readFileSync(path, "utf8");
}
