// The subgraph deadline: a call that has no answer within `timeoutMs` fails (and its HTTP
// request is aborted), so a hung subgraph fails the operation instead of holding it.
import type { TransportLayer } from "./subgraphCall.js";

export function subgraphDeadline(options: { subgraph: string; timeoutMs: number }): TransportLayer {
  return (next) => ({
    async send(call) {
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new Error(`subgraph "${options.subgraph}" did not answer within ${options.timeoutMs} ms`);
          controller.abort(error);
          reject(error);
        }, options.timeoutMs);
      });
      try {
        return await Promise.race([next.send({ ...call, signal: controller.signal }), expired]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => next.close(),
  });
}
