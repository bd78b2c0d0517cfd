// Keeps the gateway's persisted operation list current from its manifest files (one list from
// them all) without a restart: each file's folder is watched (deploys replace a file by rename,
// which a watch on the file itself would lose), changes are debounced, and SIGHUP reloads on
// demand. Manifests that do not load are refused with the reason logged; the list in force stays.
import { watch, type FSWatcher } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { ConfigError, type Logger } from "@crossdock/platform";
import { listOf, operationId, parseManifest, type PersistedOperation, type PersistedOperationList } from "./manifest.js";

export type ManifestReload = { loaded: true; operations: number } | { loaded: false; reason: string } | { loaded: true; unchanged: true };

export interface ManifestSourceOptions {
  paths: readonly string[];
  logger: Logger;
  /** How long the file must stay quiet before it is read again (a deploy writes it in several steps). */
  debounceMs?: number;
  /** Reload on SIGHUP as well (off in tests that start several gateways in one process). */
  reloadOnSighup?: boolean;
}

export interface ManifestSource {
  current(): PersistedOperationList;
  /** Reads the files again now; the list changes only if every manifest loads. */
  reload(): Promise<ManifestReload>;
  close(): void;
}

/** Loads the manifests (a bad one refuses the start: there is no earlier list to keep) and watches them. */
export async function openManifestSource(options: ManifestSourceOptions): Promise<ManifestSource> {
  const paths = [...new Set(options.paths.map((path) => resolve(path)))];
  const { logger } = options;
  const first = await readManifests(paths);
  if (!first.ok) throw new ConfigError(`CROSSDOCK_PERSISTED_OPERATIONS does not load: ${first.reason}`);
  let list = first.operations;
  let fingerprint = first.fingerprint;
  logger.info({ paths, operations: list.size }, "persisted operations loaded");

  // One read at a time; a change during a read is picked up by the read queued behind it.
  let chain: Promise<ManifestReload> = Promise.resolve({ loaded: true, unchanged: true });
  const reload = (): Promise<ManifestReload> => {
    chain = chain.then(async () => {
      const next = await readManifests(paths);
      if (!next.ok) {
        logger.error({ reason: next.reason, operations: list.size }, "persisted operation manifest refused; the previous list stays in force");
        return { loaded: false, reason: next.reason };
      }
      if (next.fingerprint === fingerprint) return { loaded: true, unchanged: true };
      list = next.operations;
      fingerprint = next.fingerprint;
      logger.info({ paths, operations: list.size }, "persisted operations reloaded");
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
  const watchers: FSWatcher[] = [];
  for (const folder of new Set(paths.map((path) => dirname(path)))) {
    const files = new Set(paths.filter((path) => dirname(path) === folder).map((path) => basename(path)));
    try {
      const watcher = watch(folder, { persistent: false }, (_event, changed) => {
        if (changed === null || files.has(changed.toString())) scheduleReload();
      });
      watcher.on("error", (error) => logger.warn({ folder, err: error }, "watching a persisted operation manifest failed; reload with SIGHUP"));
      watchers.push(watcher);
    } catch (error) {
      logger.warn({ folder, err: error }, "cannot watch a persisted operation manifest; reload with SIGHUP");
    }
  }
  const onSighup = () => void reload();
  if (options.reloadOnSighup ?? true) process.on("SIGHUP", onSighup);

  return {
    current: () => list,
    reload,
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      process.off("SIGHUP", onSighup);
    },
  };
}

type ReadResult = { ok: true; operations: PersistedOperationList; fingerprint: string } | { ok: false; reason: string };

async function readManifests(paths: readonly string[]): Promise<ReadResult> {
  const operations: PersistedOperation[] = [];
  const texts: string[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      return { ok: false, reason: `${path}: cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
    }
    const parsed = parseManifest(text);
    if (!parsed.ok) return { ok: false, reason: `${path}: ${parsed.reason}` };
    operations.push(...parsed.operations);
    texts.push(text);
  }
  return { ok: true, operations: listOf(operations), fingerprint: operationId(JSON.stringify(texts)) };
}
