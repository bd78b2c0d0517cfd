import { describe, expect, it } from "vitest";
import { isTransient } from "../src/apply/ingestor.js";

describe("ingest error classification", () => {
  it("retries connection, deadlock, serialization and resource errors instead of parking events", () => {
    for (const code of ["08006", "40001", "40P01", "53300", "57P01", "ECONNREFUSED", "ECONNRESET"]) expect(isTransient({ code }), code).toBe(true);
  });

  it("parks deterministic failures: constraint and data errors, errors without a code", () => {
    for (const error of [{ code: "23505" }, { code: "22P02" }, { code: "42601" }, new Error("boom"), null]) expect(isTransient(error)).toBe(false);
  });
});
