// Retry delays: exponential backoff with "equal jitter" — half the exponential delay fixed,
// half random — so retries of many failed steps spread out instead of hitting a recovering
// subgraph in lockstep, while no retry comes sooner than half its nominal delay.
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** Delay before attempt `attempt + 1`, after `attempt` (≥ 1) failed attempts. */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
