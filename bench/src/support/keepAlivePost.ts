// The load generators' POST: node:http on a keep-alive agent. A load generator shares the
// machine with the hub it drives, and fetch (undici, web streams) cost it several times the CPU
// per request.
import http from "node:http";
import { benchAuthorization } from "./benchIdentity.js";

export interface GraphResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function keepAlivePost<T = Record<string, unknown>>(url: string, query: string, variables: Record<string, unknown>): Promise<GraphResponse<T>> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...benchAuthorization() } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString()) as GraphResponse<T>);
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

/** Lets the process exit once the bench is done (idle keep-alive sockets would hold it open). */
export function closeKeepAlive(): void {
  agent.destroy();
}
