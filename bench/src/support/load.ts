// A closed-loop HTTP load generator: `concurrency` clients each send the next request as soon
// as the previous answered, for `durationMs`. Latencies are kept whole for exact percentiles.
import { benchAuthorization } from "./benchIdentity.js";
import { Agent, request } from "undici";

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
}

export async function runLoad(options: {
  url: string;
  concurrency: number;
  durationMs: number;
  body: (i: number) => string;
  /** Default: the bench's Authorization header. */
  headers?: Record<string, string>;
}): Promise<LoadResult> {
  const headers = { "content-type": "application/json", ...(options.headers ?? benchAuthorization()) };
  const agent = new Agent({ connections: options.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let errors = 0;
  let counter = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const client = async () => {
    while (performance.now() < deadline) {
      const body = options.body(counter++);
      const t0 = performance.now();
      try {
        const response = await request(options.url, { method: "POST", dispatcher: agent, headers, body });
        const text = await response.body.text();
        if (response.statusCode !== 200 || text.includes('"errors"')) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  const seconds = (performance.now() - started) / 1000;
  await agent.close();
  return { requests: latencies.length, errors, seconds, latenciesMs: latencies };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
