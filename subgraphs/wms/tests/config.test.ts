// loadConfig: defaults, the WMS's own variables, and start-stopping errors for bad values.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";

describe("loadConfig", () => {
  it("defaults to port 4103, localhost and a PGlite directory under the data dir", () => {
    expect(loadConfig({})).toEqual({ port: 4103, host: "127.0.0.1", databaseUrl: "pglite:./.crossdock/wms", seed: { enabled: false, scale: 1 } });
    expect(loadConfig({ CROSSDOCK_DATA_DIR: "/var/lib/crossdock/" }).databaseUrl).toBe("pglite:/var/lib/crossdock/wms");
    // Demo data only when asked for: an unset CROSSDOCK_SEED leaves the database as it is.
    expect(loadConfig({ CROSSDOCK_SEED: "demo" }).seed.enabled).toBe(true);
    expect(loadConfig({ CROSSDOCK_SEED: "none" }).seed.enabled).toBe(false);
  });

  it("reads the WMS variables", () => {
    const config = loadConfig({
      WMS_PORT: "0",
      WMS_DATABASE_URL: "postgres://wms@db/wms",
      CROSSDOCK_SEED: "false",
      CROSSDOCK_SEED_SCALE: "0.5",
      LOG_LEVEL: "debug",
    });
    expect(config).toEqual({ port: 0, host: "127.0.0.1", databaseUrl: "postgres://wms@db/wms", seed: { enabled: false, scale: 0.5 }, logLevel: "debug" });
  });

  it("refuses bad values, naming the variable", () => {
    expect(() => loadConfig({ WMS_PORT: "http" })).toThrow(/WMS_PORT/);
    expect(() => loadConfig({ WMS_DATABASE_URL: "mysql://x" })).toThrow(/WMS_DATABASE_URL/);
    expect(() => loadConfig({ CROSSDOCK_SEED_SCALE: "0" })).toThrow(/CROSSDOCK_SEED_SCALE/);
    expect(() => loadConfig({ CROSSDOCK_SEED: "maybe" })).toThrow(/CROSSDOCK_SEED/);
  });
});
