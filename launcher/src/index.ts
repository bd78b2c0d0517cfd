// `npm start`: the development path. Asks for development (NODE_ENV) and demo data (CROSSDOCK_SEED)
// unless told otherwise, runs the whole hub in one process on the embedded databases, and prints
// the demo roles' tokens when the hub is its own issuer. Releases start with `crossdock` instead.
export {};

process.env.NODE_ENV ??= "development";
process.env.CROSSDOCK_SEED ??= "demo";

// Imported after the defaults above, so every module sees them.
const { createLogger, envSeed, installProcessGuards, startTracing } = await import("@crossdock/platform");
const { startHub } = await import("./hub.js");
type RunningHub = Awaited<ReturnType<typeof startHub>>;

function printIdentity(hub: RunningHub): void {
  if (!hub.identity) return;
  const lines = [`  Demo tokens (valid 24 h, minted at every start${hub.demoTokensFile ? `, also in ${hub.demoTokensFile}` : ""}):`];
  for (const [role, demo] of Object.entries(hub.identity.demoTokens)) {
    lines.push(
      `\n  ${role}${demo.customerNumber ? ` (customer ${demo.customerNumber})` : ""}: ${demo.scopes.join(" ")}\n    Authorization: Bearer ${demo.token}`,
    );
  }
  lines.push("\n  Sandbox opens as the analyst. Without a token a caller is anonymous and has no scopes.\n");
  console.log(lines.join("\n"));
}

// Once up, a stray rejection or exception in any embedded service is logged and counted, not fatal.
installProcessGuards(createLogger("hub"));
try {
  // Traces when the OTEL_* environment asks for them: one provider for the whole hub.
  const tracing = await startTracing("crossdock");
  const hub = await startHub({ seed: envSeed(process.env) });
  console.log(`\n  Crossdock is running: ${hub.url}  (Apollo Sandbox opens there in a browser)`);
  console.log(`  Ops console: ${hub.url.replace(/\/graphql$/, "/console")}  (opens as the demo operator in development)\n`);
  printIdentity(hub);
  const shutdown = () =>
    void hub
      .stop()
      .then(() => tracing.shutdown().catch(() => undefined))
      .then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
} catch (error) {
  console.error("Crossdock failed to start:", error);
  process.exit(1);
}
