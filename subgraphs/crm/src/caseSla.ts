// The service levels of case work: how long a case of each priority may stay unresolved before
// it is escalated (CRM_CASE_SLA_MINUTES), and who takes escalated cases. Parsed once with the
// config; the writes only ask it for due times, and the flows only ever see the due time.
import { ConfigError } from "@crossdock/platform";
import type { CasePriority } from "./__generated__/prisma/client.js";

export const CASE_PRIORITIES: readonly CasePriority[] = ["LOW", "MEDIUM", "HIGH", "URGENT"];

export interface CaseWorkConfig {
  /** Minutes each priority may run before its SLA is breached. */
  slaMinutes: Readonly<Record<CasePriority, number>>;
  /** Who an escalation hands the case to (the escalation desk). */
  escalationOwner: string;
}

export const DEFAULT_CASE_WORK: CaseWorkConfig = Object.freeze({
  slaMinutes: Object.freeze({ LOW: 5 * 24 * 60, MEDIUM: 24 * 60, HIGH: 4 * 60, URGENT: 60 }),
  escalationOwner: "escalation-desk",
});

/** "URGENT=60,HIGH=240": the priorities named override the defaults; minutes may be fractional. */
export function parseSlaMinutes(raw: string | undefined, variable: string): Record<CasePriority, number> {
  const minutes = { ...DEFAULT_CASE_WORK.slaMinutes };
  if (raw === undefined || raw.trim() === "") return minutes;
  for (const part of raw.split(",")) {
    const [name, value] = part.split("=").map((s) => s.trim());
    const priority = CASE_PRIORITIES.find((p) => p === name?.toUpperCase());
    const amount = Number(value);
    if (!priority || value === undefined || value === "" || !Number.isFinite(amount) || amount <= 0) {
      throw new ConfigError(`${variable} must look like "URGENT=60,HIGH=240" (positive minutes per priority), got "${raw}"`);
    }
    minutes[priority] = amount;
  }
  return minutes;
}

/** When the SLA of `priority` runs out for a clock started at `from`. */
export function slaDueAt(config: CaseWorkConfig, priority: CasePriority, from: Date): Date {
  return new Date(from.getTime() + Math.round(config.slaMinutes[priority] * 60_000));
}

/** One step up; URGENT stays URGENT (an escalation then changes owner and restarts the clock). */
export function raisedPriority(priority: CasePriority): CasePriority {
  return CASE_PRIORITIES[Math.min(CASE_PRIORITIES.indexOf(priority) + 1, CASE_PRIORITIES.length - 1)]!;
}
