// One walsender connection (replication=database): creates the slot with an exported snapshot,
// streams pgoutput frames from it, and reports back only the LSN it is told is applied. It
// never decides what is safe to confirm; the source does, after the read model committed.
import pg from "pg";
import type { Duplex } from "node:stream";
import { epochMillisToPgMicros, formatLsn, parseLsn } from "./lsn.js";

/** The same text formats for pgoutput and for the snapshot query (see columnText.ts). */
export const SESSION_OPTIONS = "-c DateStyle=ISO,MDY -c TimeZone=UTC -c IntervalStyle=iso_8601 -c bytea_output=hex -c extra_float_digits=1";

/** The wire pieces node-postgres has but does not type: raw CopyData in and out. */
interface RawConnection {
  readonly stream: Duplex;
  on(event: "copyData", listener: (message: { chunk: Buffer }) => void): void;
  sendCopyFromChunk(chunk: Buffer): void;
}

export interface StreamHandlers {
  /** One pgoutput message and the WAL position the server sent it at. */
  onMessage(walStart: bigint, payload: Buffer): void;
  /** The server has sent everything up to `walEnd` (a keepalive between messages). */
  onKeepalive(walEnd: bigint): void;
  onError(error: Error): void;
}

// Well inside wal_sender_timeout (60 s by default), also while reading is paused.
const STATUS_INTERVAL_MS = 10_000;
// Confirmations of applied batches are sent at most this often: one status update per batch cost
// the ingest a socket write and the walsender a wake-up per change at a sustained rate. A crash
// before it goes out only means those changes are delivered again (applies are idempotent).
const CONFIRM_DELAY_MS = 100;

export class ReplicationConnection {
  private confirmed = 0n;
  private timer: NodeJS.Timeout | undefined;
  private confirmTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private streaming = false;

  private constructor(private readonly client: pg.Client) {}

  static async open(connectionString: string): Promise<ReplicationConnection> {
    const config = { connectionString, replication: "database", options: SESSION_OPTIONS } as pg.ClientConfig;
    const client = new pg.Client(config);
    // Until streaming starts, a lost connection surfaces on the next command instead.
    client.on("error", () => undefined);
    await client.connect();
    return new ReplicationConnection(client);
  }

  private get raw(): RawConnection {
    return (this.client as unknown as { connection: RawConnection }).connection;
  }

  /**
   * Creates the slot and exports the snapshot that matches its consistent point. The snapshot
   * only lives until this connection runs its next command, so the caller imports it first.
   */
  async createSlot(slot: string): Promise<{ consistentPoint: bigint; snapshotName: string }> {
    const result = await this.client.query<{ consistent_point: string; snapshot_name: string }>(
      `CREATE_REPLICATION_SLOT "${slot}" LOGICAL pgoutput (SNAPSHOT 'export')`,
    );
    const row = result.rows[0];
    if (!row) throw new Error(`CREATE_REPLICATION_SLOT ${slot} returned nothing`);
    return { consistentPoint: parseLsn(row.consistent_point), snapshotName: row.snapshot_name };
  }

  /** Starts streaming; the walsender resends every transaction that commits after `fromLsn`. */
  stream(options: { slot: string; publication: string; fromLsn: bigint }, handlers: StreamHandlers): void {
    this.confirmed = options.fromLsn;
    this.streaming = true;
    const fail = (error: unknown) => {
      if (!this.closing) handlers.onError(error instanceof Error ? error : new Error(String(error)));
    };
    this.client.on("error", fail);
    this.client.on("end", () => fail(new Error("replication connection closed")));
    this.raw.on("copyData", ({ chunk }) => {
      try {
        if (chunk[0] === 0x77) handlers.onMessage(chunk.readBigUInt64BE(1), chunk.subarray(25));
        else if (chunk[0] === 0x6b) {
          handlers.onKeepalive(chunk.readBigUInt64BE(1));
          if (chunk[17] === 1) this.sendStatus();
        }
      } catch (error) {
        fail(error);
      }
    });
    const publication = options.publication.replace(/'/g, "''");
    this.client
      .query(`START_REPLICATION SLOT "${options.slot}" LOGICAL ${formatLsn(options.fromLsn)} (proto_version '1', publication_names '"${publication}"')`)
      .then(() => fail(new Error("the server ended replication")), fail);
    this.timer = setInterval(() => this.sendStatus(), STATUS_INTERVAL_MS);
    this.timer.unref();
  }

  /** Lets Postgres forget WAL up to `lsn` (confirmed_flush_lsn); never moves backwards. */
  confirm(lsn: bigint): void {
    if (lsn <= this.confirmed) return;
    this.confirmed = lsn;
    this.confirmTimer ??= setTimeout(() => {
      this.confirmTimer = undefined;
      this.sendStatus();
    }, CONFIRM_DELAY_MS);
  }

  /** Stops reading the socket: the walsender blocks once the TCP window is full. */
  pause(): void {
    this.raw.stream.pause();
  }

  resume(): void {
    this.raw.stream.resume();
  }

  private sendStatus(): void {
    // A status update is CopyData: outside the COPY_BOTH stream it would break the protocol.
    if (this.closing || !this.streaming) return;
    // Standby status update: written, flushed and applied are all "applied to the read model".
    const message = Buffer.alloc(34);
    message.write("r", 0);
    message.writeBigUInt64BE(this.confirmed, 1);
    message.writeBigUInt64BE(this.confirmed, 9);
    message.writeBigUInt64BE(this.confirmed, 17);
    message.writeBigInt64BE(epochMillisToPgMicros(Date.now()), 25);
    message.writeUInt8(0, 33);
    this.raw.sendCopyFromChunk(message);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    // The last confirmation goes out before Terminate, on the same socket.
    clearTimeout(this.confirmTimer);
    this.sendStatus();
    this.closing = true;
    clearInterval(this.timer);
    this.raw.stream.resume();
    await this.client.end().catch(() => undefined);
  }
}
