// The operations the hub's own callers send (the flows' steps and the demo simulator), kept as a
// persisted query manifest in this package (first-party-operations.json). With trusted documents
// on, the hub serves it next to the configured manifests, so its own callers are held to a list
// as every other client is. tests/firstPartyOperations.test.ts rebuilds it from the sources.
import { fileURLToPath } from "node:url";
import type { PersistedOperationsConfig } from "@crossdock/gateway";

export const FIRST_PARTY_MANIFEST = fileURLToPath(new URL("../first-party-operations.json", import.meta.url));

/** Adds the hub's own operations when trusted documents are on (any manifest configured). */
export function withFirstPartyOperations(config: PersistedOperationsConfig): PersistedOperationsConfig {
  return config.manifests.length === 0 ? config : { ...config, manifests: [...config.manifests, FIRST_PARTY_MANIFEST] };
}
