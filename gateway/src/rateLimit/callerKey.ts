// Whose bucket an operation takes from: an authenticated principal's (kind and subject, whatever
// replica or transport it comes through), or for anonymous callers and refused credentials the
// client address's. Behind proxies, the address is read from X-Forwarded-For, trusting exactly
// the configured number of hops (the entries a caller could forge are never used).
import type http from "node:http";
import type { Principal } from "@crossdock/platform";

export function callerKey(principal: Principal | undefined, clientAddress: string): string {
  if (!principal || principal.kind === "anonymous") return `ip:${clientAddress}`;
  return `${principal.kind}:${principal.subject}`;
}

/**
 * The client's address: the socket's peer, or with `trustedProxyHops` proxies in front, the
 * X-Forwarded-For entry that many places from the right of [...forwarded, peer]: each trusted
 * proxy appended the address it saw, so that entry is the last one no caller wrote.
 */
export function clientAddressOf(req: Pick<http.IncomingMessage, "headers" | "socket">, trustedProxyHops: number): string {
  const peer = normaliseAddress(req.socket.remoteAddress ?? "unknown");
  if (trustedProxyHops === 0) return peer;
  const forwarded = String(req.headers["x-forwarded-for"] ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const chain = [...forwarded, peer];
  // Fewer entries than trusted hops: the first proxy saw the connection itself.
  return normaliseAddress(chain[Math.max(0, chain.length - 1 - trustedProxyHops)]!);
}

/** IPv4 clients of a dual-stack socket appear as ::ffff:a.b.c.d; one caller, one key. */
function normaliseAddress(address: string): string {
  return address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
}
