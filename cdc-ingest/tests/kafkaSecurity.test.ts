// Kafka TLS and SASL settings from the environment: what kafkajs receives, and a clear refusal
// for settings that cannot work (credentials missing, a certificate without its key).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { kafkaSecurityFrom } from "../src/sources/kafka/kafkaSecurity.js";

const dir = mkdtempSync(join(tmpdir(), "crossdock-kafka-tls-"));
const pem = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("Kafka security settings", () => {
  it("has none by default (plaintext, as a local broker)", () => {
    expect(kafkaSecurityFrom({})).toEqual({});
  });

  it("turns on TLS and SASL/SCRAM", () => {
    expect(kafkaSecurityFrom({ KAFKA_SSL: "1", KAFKA_SASL_MECHANISM: "SCRAM-SHA-512", KAFKA_SASL_USERNAME: "ingest", KAFKA_SASL_PASSWORD: "s3cret" })).toEqual({
      ssl: true,
      sasl: { mechanism: "scram-sha-512", username: "ingest", password: "s3cret" },
    });
    expect(kafkaSecurityFrom({ KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_USERNAME: "u", KAFKA_SASL_PASSWORD: "p" }).sasl).toEqual({
      mechanism: "plain",
      username: "u",
      password: "p",
    });
  });

  it("reads a private CA and a client certificate with its key", () => {
    const ca = pem("ca.pem", "CA");
    const cert = pem("client.pem", "CERT");
    const key = pem("client.key", "KEY");
    expect(kafkaSecurityFrom({ KAFKA_SSL_CA_FILE: ca, KAFKA_SSL_CERT_FILE: cert, KAFKA_SSL_KEY_FILE: key })).toEqual({
      ssl: { rejectUnauthorized: true, ca: ["CA"], cert: "CERT", key: "KEY" },
    });
  });

  it("refuses settings that cannot work, naming the variable", () => {
    expect(() => kafkaSecurityFrom({ KAFKA_SASL_MECHANISM: "scram-sha-256", KAFKA_SASL_USERNAME: "u" })).toThrow(/KAFKA_SASL_PASSWORD/);
    expect(() => kafkaSecurityFrom({ KAFKA_SASL_MECHANISM: "gssapi", KAFKA_SASL_USERNAME: "u", KAFKA_SASL_PASSWORD: "p" })).toThrow(
      /KAFKA_SASL_MECHANISM must be one of/,
    );
    expect(() => kafkaSecurityFrom({ KAFKA_SSL_CERT_FILE: pem("only.pem", "CERT") })).toThrow(/KAFKA_SSL_KEY_FILE/);
    expect(() => kafkaSecurityFrom({ KAFKA_SSL_CA_FILE: join(dir, "missing.pem") })).toThrow(/KAFKA_SSL_CA_FILE: cannot read .*ENOENT/);
  });

  it("is read only when Kafka is the capture", () => {
    const broken = { KAFKA_SASL_MECHANISM: "plain" };
    expect(loadConfig({ ...broken, CROSSDOCK_CAPTURE: "outbox" }).kafka.security).toEqual({});
    expect(() => loadConfig({ ...broken, CROSSDOCK_CAPTURE: "kafka" })).toThrow(/KAFKA_SASL_USERNAME/);
  });
});
