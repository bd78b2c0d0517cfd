// Entry of the `crossdock` command (launcher/bin/crossdock.js loads it from dist/). Decides the
// environment before any service module loads, then runs the subcommand; anything that stops it
// prints one line, `crossdock: <reason>`, and exits non-zero (2 for a bad command line).
import { CommandLineError, parseCommandLine, requireDatabases, runtimeEnvironment, USAGE } from "./commandLine.js";

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!.trim() || "failed";
}

async function main(argv: string[]): Promise<void> {
  const parsed = parseCommandLine(argv);
  if (parsed.kind === "help") {
    console.log(USAGE);
    return;
  }
  const environment = runtimeEnvironment(process.env);
  // Loggers, Apollo and the services' configs read NODE_ENV: set it before they load.
  process.env.NODE_ENV = environment;
  requireDatabases(parsed.command, process.env, environment);
  const { runCommand } = await import("./runCommand.js");
  const { serving } = await runCommand(parsed.command, { env: process.env, environment });
  // One-shot commands end here even if a driver keeps a timer or socket around.
  if (!serving) process.exit(0);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  console.error(`crossdock: ${oneLine(error)}`);
  // 2: refused before starting (command line, environment, configuration); 1: failed while starting or running.
  process.exit(error instanceof CommandLineError || (error instanceof Error && error.name === "ConfigError") ? 2 : 1);
}
