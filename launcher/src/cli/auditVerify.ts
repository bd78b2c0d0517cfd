// `crossdock audit verify`: verifies the hub's audit log hash chains (cdc-ingest's auditChain: the
// merged log and the flows' operator actions) and prints one line per entry that does not verify, then a summary. Reads only. A broken chain is a
// failure: the command ends with exit 1 and a last line naming the first broken entry.
import { openDatabase } from "@crossdock/platform";
import { auditChainsIn, verifyAuditLog } from "@crossdock/cdc-ingest";

/** The chain does not verify; the message names the first broken entry. */
export class AuditChainBrokenError extends Error {
  override name = "AuditChainBrokenError";
}

export async function auditVerify(hubDatabaseUrl: string, print: (line: string) => void = console.log): Promise<void> {
  const hub = await openDatabase(hubDatabaseUrl);
  try {
    const chains = await auditChainsIn(hub);
    if (!chains.some((chain) => chain.name === "hub")) throw new Error("the hub database has no chained audit log yet: run `crossdock migrate`");
    const report = await verifyAuditLog(hub, { maxProblems: 1000 });
    for (const problem of report.problems) print(`broken: ${problem.reason}`);
    const first = report.problems[0];
    if (first) {
      throw new AuditChainBrokenError(
        `audit log hash chain broken: first broken entry ${first.entryId} (${first.system}); ${report.problems.length} entries do not verify, ${report.verifiedEntries} do`,
      );
    }
    print(`audit log intact: ${report.verifiedEntries} entries verified`);
  } finally {
    await hub.close();
  }
}
