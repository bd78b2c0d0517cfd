// Error codes and close codes of the subscription transports, in one place so clients and docs
// see the same names. The codes themselves live in @crossdock/schema's registry.
import { GraphQLError } from "graphql";
import { ErrorCode } from "@crossdock/schema";

export const SubscriptionErrorCode = {
  /** `after` is older than the feed's retention: events were pruned, resubscribe without it. */
  CURSOR_EXPIRED: ErrorCode.CURSOR_EXPIRED,
  /** The subscriber did not keep up and its bounded queue overflowed (SSE; WebSockets close with SLOW_CONSUMER_CLOSE_CODE). */
  SLOW_CONSUMER: ErrorCode.SLOW_CONSUMER,
} as const;

type Code = ErrorCode;

/**
 * WebSocket close code for a slow consumer: 1013 "Try Again Later". Not 4429, which graphql-ws
 * already uses for "too many initialisation requests" and treats as fatal; 1013 makes graphql-ws
 * clients reconnect, and a client that resubscribes with its last cursor loses nothing.
 */
export const SLOW_CONSUMER_CLOSE_CODE = 1013;
/** Close code when the gateway drains its subscriptions on shutdown (graphql-ws clients retry it). */
export const GOING_AWAY_CLOSE_CODE = 1001;

export function subscriptionError(code: Code, message: string, detail: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...detail } });
}
