// `jsonl` replay: Debezium messages from a JSON-lines file or stdin, one per line, either
// `{"topic","key","value"}` records (value may be an object, a string or null) or a bare
// envelope (topic then comes from the option). For archived topics and tests.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { CaptureSource, CapturedMessage } from "./captureSource.js";

export interface JsonlSourceOptions {
  name: string;
  /** A file path, or "-" for stdin. */
  path: string;
  defaultTopic?: string;
  stdin?: Readable;
}

export class JsonlSource implements CaptureSource {
  readonly kind = "jsonl" as const;
  readonly name: string;
  exhausted = false;
  private lines: AsyncIterator<string> | undefined;
  private lineNumber = 0;

  constructor(private readonly options: JsonlSourceOptions) {
    this.name = options.name;
  }

  async start(): Promise<void> {
    const input = this.options.path === "-" ? (this.options.stdin ?? process.stdin) : createReadStream(this.options.path, "utf8");
    this.lines = createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  }

  async poll(max: number): Promise<CapturedMessage[]> {
    const messages: CapturedMessage[] = [];
    while (!this.exhausted && messages.length < max) {
      const next = await this.lines!.next();
      if (next.done) {
        this.exhausted = true;
        break;
      }
      this.lineNumber++;
      if (next.value.trim() === "") continue;
      messages.push(this.toMessage(next.value));
    }
    return messages;
  }

  private toMessage(line: string): CapturedMessage {
    // Position of a line in this very file, so parked messages of different files never collide.
    const ackToken = `${this.options.path}:${this.lineNumber}`;
    const topic = this.options.defaultTopic ?? "jsonl";
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      // Undecodable lines still go through the decoder so they land in the DLQ with a reason.
      return { topic, key: null, value: line, ackToken };
    }
    if (record && typeof record === "object" && "topic" in record && "value" in record) {
      const r = record as { topic: unknown; key?: unknown; value: unknown };
      const asText = (v: unknown) => (v === null || v === undefined ? null : typeof v === "string" ? v : JSON.stringify(v));
      return { topic: String(r.topic), key: asText(r.key), value: asText(r.value), ackToken };
    }
    return { topic, key: null, value: line, ackToken };
  }

  async ack(): Promise<void> {}

  async stop(): Promise<void> {
    this.exhausted = true;
  }
}
