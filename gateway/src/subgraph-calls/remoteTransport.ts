// Calls a subgraph over HTTP through undici's pooled keep-alive connections. The connection
// timeouts are a backstop; the call's own deadline is the deadline layer's (it aborts `signal`).
import { Agent, request as httpRequest } from "undici";
import type { SubgraphAnswer, SubgraphCall, SubgraphTransport } from "./subgraphCall.js";

export interface RemoteTransportOptions {
  url: string;
  /** Longest the connection waits for headers and for the body. */
  timeoutMs: number;
}

export function remoteTransport(options: RemoteTransportOptions): SubgraphTransport {
  const agent = new Agent({ keepAliveTimeout: 60_000, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
  return {
    async send(call: SubgraphCall): Promise<SubgraphAnswer> {
      const response = await httpRequest(options.url, {
        method: "POST",
        headers: call.headers,
        body: JSON.stringify(call.body),
        dispatcher: agent,
        ...(call.signal ? { signal: call.signal } : {}),
      });
      const text = await response.body.text();
      const contentType = String(response.headers["content-type"] ?? "");
      return {
        status: response.statusCode,
        headers: response.headers,
        body: /^application\/(graphql-response\+)?json/.test(contentType) ? parseOrText(text) : text,
      };
    },
    close: () => agent.close(),
  };
}

export function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
