// Calls a subgraph running in this process (the embedded hub) as a function: the same request
// and headers an HTTP call carries, the body sent through JSON so it means exactly the same
// (undefined fields absent, nothing shared with the query plan's objects).
import { jsonCopy, type LocalGraphQLHandler } from "@crossdock/platform";
import { parseOrText } from "./remoteTransport.js";
import type { SubgraphAnswer, SubgraphCall, SubgraphTransport } from "./subgraphCall.js";

export function localTransport(handler: LocalGraphQLHandler): SubgraphTransport {
  return {
    async send(call: SubgraphCall): Promise<SubgraphAnswer> {
      const response = await handler({ headers: call.headers, body: jsonCopy(call.body) });
      return { status: response.status, headers: response.headers, body: parseOrText(response.body) };
    },
    close: async () => undefined,
  };
}
