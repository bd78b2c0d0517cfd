// LISTEN on one Postgres channel that outlives its connection: when the server restarts or the
// connection drops, it reconnects with backoff, LISTENs again, and then calls the handler once
// with an empty payload, because notifications sent meanwhile are lost and the listener must
// catch up from its own cursor. It never decides what a notification means.
import pg from "pg";

export interface PostgresListenerOptions {
  connectionString: string;
  channel: string;
  onPayload: (payload: string) => void;
  /** Told about each lost connection and failed reconnect (logging). */
  onTrouble?: (error: Error) => void;
  connectTimeoutMs?: number;
}

const quoteChannel = (channel: string) => `"${channel.replace(/"/g, "")}"`;

export class PostgresListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(private readonly options: PostgresListenerOptions) {}

  /** The first connection must work: a service that cannot listen at start should not start. */
  async start(): Promise<void> {
    this.client = await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await client.query(`UNLISTEN ${quoteChannel(this.options.channel)}`).catch(() => undefined);
    await client.end().catch(() => undefined);
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      keepAlive: true,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5000,
    });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      if (this.stopped) return;
      this.options.onTrouble?.(error ?? new Error("LISTEN connection ended"));
      this.scheduleReconnect();
    };
    client.on("error", onLost);
    client.on("notification", (message) => {
      if (message.channel === this.options.channel) this.options.onPayload(message.payload ?? "");
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteChannel(this.options.channel)}`);
    } catch (error) {
      lost = true;
      await client.end().catch(() => undefined);
      throw error;
    }
    client.on("end", () => onLost());
    return client;
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry) return;
    this.failures++;
    const delay = Math.min(5000, 100 * 2 ** this.failures) * (0.75 + Math.random() / 2);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect().then(
        async (client) => {
          if (this.stopped) return void (await client.end().catch(() => undefined));
          this.client = client;
          this.failures = 0;
          // Whatever was notified while the connection was down is only in the data now.
          this.options.onPayload("");
        },
        (error: unknown) => {
          this.options.onTrouble?.(error instanceof Error ? error : new Error(String(error)));
          this.scheduleReconnect();
        },
      );
    }, delay);
    this.retry.unref();
  }
}
