// Ingestors of one process take turns applying to a hub, in arrival order, and each knows
// whether it had to wait (then it tops its batch up with what arrived meanwhile).
import { describe, expect, it } from "vitest";
import { ApplyTurns } from "../src/apply/applyTurns.js";

describe("apply turns", () => {
  it("hands out turns one at a time, in the order they were asked for", async () => {
    const turns = new ApplyTurns();
    const order: string[] = [];
    const first = await turns.take();
    expect(first.waited).toBe(false);
    const second = turns.take().then((turn) => (order.push("second"), turn));
    const third = turns.take().then((turn) => (order.push("third"), turn));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(order).toEqual([]);
    first.done();
    first.done(); // a second done() of the same turn changes nothing
    const secondTurn = await second;
    expect(secondTurn.waited).toBe(true);
    expect(order).toEqual(["second"]);
    secondTurn.done();
    (await third).done();
    expect(order).toEqual(["second", "third"]);
    const free = await turns.take();
    expect(free.waited).toBe(false);
    free.done();
  });
});
