// Trusted documents (persisted operations) at the gateway, wired together: the manifest file kept
// current (manifestSource), the decision every transport makes (trustedDocuments) and the Apollo
// Server plugin that applies it to HTTP. The subscription transports call `documents` themselves.
import type { ApolloServerPlugin } from "@apollo/server";
import type { Logger, Registry } from "@crossdock/platform";
import type { PersistedOperationsConfig } from "../config.js";
import type { GatewayContext } from "../context.js";
import { openManifestSource, type ManifestReload } from "./manifestSource.js";
import { persistedOperationsPlugin } from "./plugin.js";
import { createTrustedDocuments, type TrustedDocuments } from "./trustedDocuments.js";

export { listOf, MANIFEST_FORMAT, operationId, parseManifest, type PersistedOperation, type PersistedOperationList } from "./manifest.js";
export type { ManifestReload } from "./manifestSource.js";
export type { Admission, OperationRequest, Transport, TrustedDocuments } from "./trustedDocuments.js";

export interface PersistedOperations {
  documents: TrustedDocuments;
  plugin: ApolloServerPlugin<GatewayContext>;
  reload(): Promise<ManifestReload>;
  close(): void;
}

export interface PersistedOperationsOptions {
  config: PersistedOperationsConfig;
  logger: Logger;
  registry: Registry;
  reloadOnSighup?: boolean;
}

/** Undefined without a manifest (CROSSDOCK_PERSISTED_OPERATIONS): every operation runs as before. */
export async function startPersistedOperations(options: PersistedOperationsOptions): Promise<PersistedOperations | undefined> {
  const { config, logger } = options;
  if (config.manifests.length === 0) return undefined;
  const source = await openManifestSource({
    paths: config.manifests,
    logger,
    ...(options.reloadOnSighup !== undefined ? { reloadOnSighup: options.reloadOnSighup } : {}),
  });
  const documents = createTrustedDocuments({ mode: config.mode, operations: source.current, logger, registry: options.registry });
  logger.info({ mode: config.mode }, "trusted documents on");
  return { documents, plugin: persistedOperationsPlugin(documents), reload: source.reload, close: source.close };
}
