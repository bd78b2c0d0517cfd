// The process's last line of defence: a promise rejection nobody handled, or an exception
// nobody caught, is logged and counted (crossdock_process_faults_total) and the process stays
// up, so one request's bug fails that request alone instead of every request in the process.
import type { Logger } from "./logger.js";
import { Counter } from "prom-client";

/** Registered in every service's registry by createServiceMetrics (one process, one count). */
export const processFaults = new Counter({
  name: "crossdock_process_faults_total",
  help: "Unhandled promise rejections and uncaught exceptions the process survived, by kind",
  labelNames: ["kind"],
  registers: [],
});

let installed: (() => void) | undefined;

/** Installs the handlers once per process; returns a function that removes them (tests). */
export function installProcessGuards(logger: Logger): () => void {
  if (installed) return installed;
  const onRejection = (reason: unknown) => {
    processFaults.inc({ kind: "unhandledRejection" });
    logger.error({ err: reason }, "unhandled promise rejection; logged and counted, the process stays up");
  };
  const onException = (error: Error, origin: string) => {
    processFaults.inc({ kind: "uncaughtException" });
    logger.error({ err: error, origin }, "uncaught exception; logged and counted, the process stays up");
  };
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
  const remove = () => {
    process.off("unhandledRejection", onRejection);
    process.off("uncaughtException", onException);
    installed = undefined;
  };
  installed = remove;
  return remove;
}
