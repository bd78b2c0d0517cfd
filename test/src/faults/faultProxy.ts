// A fault-injecting HTTP proxy between the flows and the gateway (a test double, nothing more):
// requests whose GraphQL text matches a rule fail as if the owning subgraph were down ("fail"),
// as if its database were restarting ("unavailable": retryable, nothing processed), or are
// forwarded and then held unanswered ("hang") — the flows process can be killed while they hang.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface FaultRule {
  /** Substring of the request body, e.g. the mutation field name. */
  match: string;
  mode: "fail" | "unavailable" | "hang";
  /** How many matching requests the rule affects (Infinity: until removed). */
  times: number;
  seen?: number;
}

export class FaultProxy {
  target = "";
  readonly rules: FaultRule[] = [];
  private readonly held: (() => void)[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  url = "";

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/graphql`;
  }

  /** Answers every held request with a connection reset. */
  releaseHeld(): void {
    for (const release of this.held.splice(0)) release();
  }

  async stop(): Promise<void> {
    this.releaseHeld();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString("utf8");
    const rule = this.rules.find((r) => body.includes(r.match) && (r.seen ?? 0) < r.times);
    if (rule) rule.seen = (rule.seen ?? 0) + 1;
    if (rule?.mode === "fail") {
      res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ errors: [{ message: "the owning subgraph is unavailable", extensions: { code: "SERVICE_UNAVAILABLE" } }] }));
      return;
    }
    if (rule?.mode === "unavailable") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ data: null, errors: [{ message: "the database is restarting", extensions: { code: "SERVICE_UNAVAILABLE", retryable: true } }] }),
      );
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !["host", "content-length", "connection"].includes(k))) as Record<
      string,
      string
    >;
    const upstream = await fetch(this.target, { method: "POST", headers, body });
    const text = await upstream.text();
    if (rule?.mode === "hang") {
      // The mutation has committed upstream; its answer never reaches the caller.
      await new Promise<void>((resolve) => this.held.push(resolve));
      res.destroy();
      return;
    }
    res.writeHead(upstream.status, { "content-type": "application/json" });
    res.end(text);
  }
}
