// The flows' credentials: a development default for the service token and the principal secret,
// both refused in production, where the service does not start without secrets of its own.
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
});
