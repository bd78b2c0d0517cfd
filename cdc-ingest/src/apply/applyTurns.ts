// Whose turn it is to apply to a hub, among the ingestors of this process: the read model takes
// one batch at a time (the advisory lock in applyBatch enforces that across processes too), so
// an ingestor queues here first and composes its batch only when its turn comes, instead of
// holding a batch that ages while it waits on the database lock.
import type { Database } from "@crossdock/platform";

export class ApplyTurns {
  private tail: Promise<void> = Promise.resolve();
  private holders = 0;

  /** Resolves when it is the caller's turn; `waited` says whether another ingestor held it. */
  async take(): Promise<{ waited: boolean; done(): void }> {
    const waited = this.holders > 0;
    this.holders++;
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => mine);
    await previous;
    let released = false;
    return {
      waited,
      done: () => {
        if (released) return;
        released = true;
        this.holders--;
        done();
      },
    };
  }
}

const perHub = new WeakMap<Database, ApplyTurns>();

/** The one queue of a hub database, shared by every ingestor of this process that writes to it. */
export function applyTurns(hub: Database): ApplyTurns {
  let turns = perHub.get(hub);
  if (!turns) {
    turns = new ApplyTurns();
    perHub.set(hub, turns);
  }
  return turns;
}
