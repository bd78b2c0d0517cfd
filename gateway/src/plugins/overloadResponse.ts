// Answers an operation the gateway shed (a subgraph call refused OVERLOADED, loadShedding.ts)
// with HTTP 503 and Retry-After, so clients and load balancers back off instead of reading a
// 200 with errors; the body still carries the error with its code.
import type { ApolloServerPlugin } from "@apollo/server";
import { ErrorCode } from "@crossdock/schema";

export function overloadResponsePlugin(retryAfterSeconds: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ errors, response }) {
          if (!errors?.some((error) => error.extensions.code === ErrorCode.OVERLOADED)) return;
          response.http.status = 503;
          response.http.headers.set("retry-after", String(retryAfterSeconds));
        },
      };
    },
  };
}
