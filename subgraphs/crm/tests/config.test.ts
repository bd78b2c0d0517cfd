// The CRM configuration: defaults, the variables it reads, and that bad values fail the start
// with the variable's name.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";

describe("loadConfig", () => {
  it("defaults to port 4102 on localhost, a PGlite database under the data dir, no demo data unless CROSSDOCK_SEED=demo", () => {
    expect(loadConfig({})).toEqual({
      port: 4102,
      host: "127.0.0.1",
      databaseUrl: "pglite:./.crossdock/crm",
      seed: { enabled: false, scale: 1 },
      caseWork: { slaMinutes: { LOW: 7200, MEDIUM: 1440, HIGH: 240, URGENT: 60 }, escalationOwner: "escalation-desk" },
    });
  });

  it("reads CRM_PORT, CRM_HOST, CRM_DATABASE_URL, CROSSDOCK_DATA_DIR, CROSSDOCK_SEED, CROSSDOCK_SEED_SCALE and LOG_LEVEL", () => {
    expect(
      loadConfig({
        CRM_PORT: "0",
        CRM_HOST: "0.0.0.0",
        CROSSDOCK_DATA_DIR: "/var/lib/crossdock/",
        CROSSDOCK_SEED: "false",
        CROSSDOCK_SEED_SCALE: "0.5",
        LOG_LEVEL: "warn",
      }),
    ).toEqual({
      port: 0,
      host: "0.0.0.0",
      databaseUrl: "pglite:/var/lib/crossdock/crm",
      seed: { enabled: false, scale: 0.5 },
      caseWork: { slaMinutes: { LOW: 7200, MEDIUM: 1440, HIGH: 240, URGENT: 60 }, escalationOwner: "escalation-desk" },
      logLevel: "warn",
    });
    expect(loadConfig({ CRM_DATABASE_URL: "postgres://crm@db:5432/crm" }).databaseUrl).toBe("postgres://crm@db:5432/crm");
  });

  it("reads SLA minutes per priority (CRM_CASE_SLA_MINUTES) and the escalation owner", () => {
    const config = loadConfig({ CRM_CASE_SLA_MINUTES: "urgent=0.5, HIGH=30", CRM_ESCALATION_OWNER: "tier-2" });
    expect(config.caseWork).toEqual({ slaMinutes: { LOW: 7200, MEDIUM: 1440, HIGH: 30, URGENT: 0.5 }, escalationOwner: "tier-2" });
    for (const bad of ["URGENT", "URGENT=0", "SOON=5", "URGENT=-1", "URGENT=fast"]) {
      expect(() => loadConfig({ CRM_CASE_SLA_MINUTES: bad })).toThrow(/CRM_CASE_SLA_MINUTES/);
    }
  });

  it("rejects bad values naming the variable", () => {
    expect(() => loadConfig({ CRM_PORT: "http" })).toThrow(/CRM_PORT/);
    expect(() => loadConfig({ CRM_PORT: "70000" })).toThrow(/CRM_PORT/);
    expect(() => loadConfig({ CROSSDOCK_SEED: "maybe" })).toThrow(/CROSSDOCK_SEED/);
    expect(() => loadConfig({ CROSSDOCK_SEED_SCALE: "0" })).toThrow(/CROSSDOCK_SEED_SCALE/);
    expect(() => loadConfig({ CROSSDOCK_SEED_SCALE: "lots" })).toThrow(/CROSSDOCK_SEED_SCALE/);
  });
});
