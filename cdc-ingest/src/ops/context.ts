// Per-request context of the ops subgraph: the hub database, loaders and the ingest's live state.
import type { Database, RequestContextBase, WriteActor } from "@crossdock/platform";
import type { PrismaClient } from "../__generated__/prisma/client.js";
import type { FeedBus } from "../feed/feedBus.js";
import type { SourceStatus } from "../apply/ingestor.js";
import type { AuditIntegrityCheck } from "./auditChain.js";
import type { OpsLoaders } from "./loaders.js";

export interface OpsServices {
  prisma: PrismaClient;
  hub: Database;
  bus: FeedBus;
  /** Each running source's status, its health checked unless a reading is fresh. */
  sourceStatuses: () => Promise<SourceStatus[]>;
  replayDeadLetter: (id: string, actor: WriteActor) => Promise<void>;
  /** The audit log's integrity, one full pass shared by concurrent callers. */
  auditIntegrity: AuditIntegrityCheck;
}

export interface OpsContext extends RequestContextBase {
  services: OpsServices;
  loaders: OpsLoaders;
}
