// Samples services' /readyz while a fault happens: the distinct answers each gave, in order (0
// when nothing answered, as a load balancer sees a dead process), so a scenario can check that
// readiness went false during the fault and true after it without a manual step.
export interface ReadinessWatch {
  /** Stops sampling; per URL, the answers in order with repeats collapsed. */
  stop(): Promise<Record<string, number[]>>;
}

export function watchReadiness(urls: Record<string, string>, intervalMs = 100): ReadinessWatch {
  const seen: Record<string, number[]> = Object.fromEntries(Object.keys(urls).map((name) => [name, []]));
  let running = true;
  const loops = Object.entries(urls).map(async ([name, url]) => {
    while (running) {
      const status = await fetch(url, { signal: AbortSignal.timeout(3000) }).then(
        (response) => response.status,
        () => 0,
      );
      const statuses = seen[name]!;
      if (statuses.at(-1) !== status) statuses.push(status);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return seen;
    },
  };
}

/** Waits until every URL answers 200; returns how long that took, or throws at the deadline. */
export async function allReady(urls: string[], timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const statuses = await Promise.all(
      urls.map((url) =>
        fetch(url, { signal: AbortSignal.timeout(3000) }).then(
          (r) => r.status,
          () => 0,
        ),
      ),
    );
    if (statuses.every((s) => s === 200)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`not ready after ${timeoutMs} ms: ${urls.filter((_, i) => statuses[i] !== 200).join(", ")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
