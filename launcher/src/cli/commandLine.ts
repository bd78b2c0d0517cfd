// The `crossdock` command line: which subcommands exist, what each needs in production, and how
// the environment is decided (production unless NODE_ENV says development). Reads no service
// code, so a bad command line stops before anything heavy loads.
import { parseArgs } from "node:util";

export const SERVICE_COMMANDS = ["gateway", "erp", "crm", "wms", "ingest", "flows"] as const;
export const COMMANDS = [...SERVICE_COMMANDS, "all", "migrate", "seed", "audit"] as const;
export type ServiceCommand = (typeof SERVICE_COMMANDS)[number];
export type Command = (typeof COMMANDS)[number];
export type RuntimeEnvironment = "production" | "development";

export const USAGE = `usage: crossdock <command>
  gateway | erp | crm | wms | ingest | flows   start one service
  all                                          start every service in one process
  migrate                                      apply pending migrations to every database (run before starting a release)
  seed --demo                                  load the demo data set into empty ERP, CRM and WMS databases
  audit verify                                 verify the hub's audit log hash chain (exit 1, naming the first broken entry, when it does not hold)
Production unless NODE_ENV=development; variables are listed in .env.example and docs/configuration.md.`;

/** A command line or environment the command refuses; the message is the one line it prints. */
export class CommandLineError extends Error {
  override name = "CommandLineError";
}

const ALL_DATABASES = ["ERP_DATABASE_URL", "CRM_DATABASE_URL", "WMS_DATABASE_URL", "HUB_DATABASE_URL"];

/**
 * The databases a command touches. In production each must be named: a release never falls back
 * to the embedded PGlite files under ./.crossdock without being told to (`pglite:<dir>` still works).
 */
export const DATABASES_NEEDED: Record<Command, string[]> = {
  gateway: [],
  erp: ["ERP_DATABASE_URL"],
  crm: ["CRM_DATABASE_URL"],
  wms: ["WMS_DATABASE_URL"],
  ingest: ["HUB_DATABASE_URL"],
  flows: ["HUB_DATABASE_URL"],
  all: ALL_DATABASES,
  migrate: ALL_DATABASES,
  seed: ["ERP_DATABASE_URL", "CRM_DATABASE_URL", "WMS_DATABASE_URL"],
  audit: ["HUB_DATABASE_URL"],
};

export type ParsedCommand = { kind: "help" } | { kind: "run"; command: Command; demo: boolean };

export function parseCommandLine(argv: string[]): ParsedCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new CommandLineError((error as Error).message.split("\n")[0] ?? "bad arguments");
  }
  const [name, ...rest] = parsed.positionals;
  if (parsed.values.help || name === "help") return { kind: "help" };
  if (name === undefined) throw new CommandLineError(`no command given (one of ${COMMANDS.join(", ")}; --help lists them)`);
  if (!(COMMANDS as readonly string[]).includes(name)) {
    throw new CommandLineError(`unknown command "${name}" (one of ${COMMANDS.join(", ")}; --help lists them)`);
  }
  const command = name as Command;
  if (command === "audit") {
    if (rest.length !== 1 || rest[0] !== "verify")
      throw new CommandLineError(`audit takes one subcommand, verify${rest.length > 0 ? `, got "${rest.join(" ")}"` : ""}`);
  } else if (rest.length > 0) throw new CommandLineError(`${name} takes no further arguments, got "${rest.join(" ")}"`);
  const demo = parsed.values.demo === true;
  if (command === "seed" && !demo) throw new CommandLineError("seed needs --demo (the demo data set is the only one there is)");
  if (command !== "seed" && demo) throw new CommandLineError(`--demo belongs to seed, not ${command}`);
  return { kind: "run", command, demo };
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, strict: true, options: { demo: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
}

/** Production unless development is asked for; anything else (a typo, "test") is refused rather than guessed. */
export function runtimeEnvironment(env: Record<string, string | undefined>): RuntimeEnvironment {
  const value = env.NODE_ENV;
  if (value === undefined || value === "" || value === "production") return "production";
  if (value === "development") return "development";
  throw new CommandLineError(`NODE_ENV must be production (the default) or development, got "${value}"`);
}

export function requireDatabases(command: Command, env: Record<string, string | undefined>, environment: RuntimeEnvironment): void {
  if (environment !== "production") return;
  const missing = DATABASES_NEEDED[command].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new CommandLineError(`${missing.join(", ")} must be set in production (postgres://… or pglite:<dir>)`);
  }
}
