// The flows' credentials: a development default for the service token and the principal secret,
// both refused in production, where the service does not start without secrets of its own; and
// the worker identity, unique per process unless one is set.
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { ConfigError } from "@crossdock/platform";
import { loadConfig } from "../src/config.js";

describe("flows configuration", () => {
  it("refuses to start in production without its own service token and principal secret", () => {
    const production = { NODE_ENV: "production", CROSSDOCK_SERVICE_TOKEN: "flows-s3cret", CROSSDOCK_PRINCIPAL_SECRET: "s3cret" };
    expect(loadConfig(production).serviceToken).toBe("flows-s3cret");
    expect(() => loadConfig({ ...production, CROSSDOCK_SERVICE_TOKEN: undefined })).toThrow(ConfigError);
    expect(() => loadConfig({ ...production, CROSSDOCK_SERVICE_TOKEN: "crossdock-flows-dev-token" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...production, CROSSDOCK_PRINCIPAL_SECRET: undefined })).toThrow(ConfigError);
    expect(loadConfig({}).serviceToken).toBe("crossdock-flows-dev-token");
  });

  it("gives each worker process its own id by default and keeps one that is set", () => {
    expect(loadConfig({}).workerId).toBe(`${hostname()}-${process.pid}`);
    expect(loadConfig({ FLOWS_WORKER_ID: "" }).workerId).toBe(`${hostname()}-${process.pid}`);
    expect(loadConfig({ FLOWS_WORKER_ID: "flows-east-1" }).workerId).toBe("flows-east-1");
  });
});
