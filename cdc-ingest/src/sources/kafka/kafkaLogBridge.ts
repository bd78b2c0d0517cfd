// Routes kafkajs's own log lines into the service's structured pino logger, so a rebalance or a
// broker reconnect shows up next to the ingestor's lines instead of on raw console output.
import { logLevel, type logCreator } from "kafkajs";
import type { Logger } from "@crossdock/platform";

export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, ...fields } = log;
      const entry = { kafkaNamespace: namespace, ...fields };
      if (level === logLevel.ERROR) logger.error(entry, message);
      else if (level === logLevel.WARN) logger.warn(entry, message);
      else if (level === logLevel.INFO) logger.info(entry, message);
      else logger.debug(entry, message);
    };
}
