// Keeps the gateway's persisted operation list current from its manifest file without a restart:
// the file's folder is watched (editors and deploys replace the file by rename, which a watch on
// the file itself would lose), changes are debounced, and SIGHUP reloads on demand. A manifest
// that does not load is refused with its reason logged, and the list in force stays as it was.
import { watch, type FSWatcher } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { ConfigError, type Logger } from "@crossdock/platform";
import { operationId, parseManifest, type PersistedOperationList } from "./manifest.js";

export type ManifestReload = { loaded: true; operations: number } | { loaded: false; reason: string } | { loaded: true; unchanged: true };

export interface ManifestSourceOptions {
  path: string;
  logger: Logger;
  /** How long the file must stay quiet before it is read again (a deploy writes it in several steps). */
  debounceMs?: number;
  /** Reload on SIGHUP as well (off in tests that start several gateways in one process). */
  reloadOnSighup?: boolean;
}

export interface ManifestSource {
  current(): PersistedOperationList;
  /** Reads the file again now; the list changes only if the new manifest loads. */
  reload(): Promise<ManifestReload>;
  close(): void;
}

/** Loads the manifest (a bad one refuses the start: there is no earlier list to keep) and watches it. */
export async function openManifestSource(options: ManifestSourceOptions): Promise<ManifestSource> {
  const path = resolve(options.path);
  const { logger } = options;
  const first = await readManifest(path);
  if (!first.ok) throw new ConfigError(`CROSSDOCK_PERSISTED_OPERATIONS (${path}) does not load: ${first.reason}`);
  let list = first.operations;
  let fingerprint = first.fingerprint;
  logger.info({ path, operations: list.size }, "persisted operations loaded");

  // One read at a time; a change during a read is picked up by the read queued behind it.
  let chain: Promise<ManifestReload> = Promise.resolve({ loaded: true, unchanged: true });
  const reload = (): Promise<ManifestReload> => {
    chain = chain.then(async () => {
      const next = await readManifest(path);
      if (!next.ok) {
        logger.error({ path, reason: next.reason, operations: list.size }, "persisted operation manifest refused; the previous list stays in force");
        return { loaded: false, reason: next.reason };
      }
      if (next.fingerprint === fingerprint) return { loaded: true, unchanged: true };
      list = next.operations;
      fingerprint = next.fingerprint;
      logger.info({ path, operations: list.size }, "persisted operations reloaded");
      return { loaded: true, operations: list.size };
    });
    return chain;
  };

  let timer: NodeJS.Timeout | undefined;
  const scheduleReload = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), options.debounceMs ?? 100);
    timer.unref();
  };
  const file = basename(path);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
      if (changed === null || changed.toString() === file) scheduleReload();
    });
    watcher.on("error", (error) => logger.warn({ path, err: error }, "watching the persisted operation manifest failed; reload with SIGHUP"));
  } catch (error) {
    logger.warn({ path, err: error }, "cannot watch the persisted operation manifest; reload with SIGHUP");
  }
  const onSighup = () => void reload();
  if (options.reloadOnSighup ?? true) process.on("SIGHUP", onSighup);

  return {
    current: () => list,
    reload,
    close() {
      clearTimeout(timer);
      watcher?.close();
      process.off("SIGHUP", onSighup);
    },
  };
}

type ReadResult = { ok: true; operations: PersistedOperationList; fingerprint: string } | { ok: false; reason: string };

async function readManifest(path: string): Promise<ReadResult> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    return { ok: false, reason: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  const parsed = parseManifest(text);
  return parsed.ok ? { ok: true, operations: parsed.operations, fingerprint: operationId(text) } : parsed;
}
