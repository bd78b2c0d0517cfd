// Sums vitest JSON reports into CI's last line: "N passed, N failed" (plus skipped). Arguments
// are `report.json:exitCode`. A report that is missing or unreadable counts as one failure, as
// does a file that failed to load (its suite errored before any test ran), and so does a run that
// exited non-zero with no failed test in its report (an unhandled error, which the report omits).
import { readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;
for (const argument of process.argv.slice(2)) {
  const separator = argument.lastIndexOf(":");
  const file = separator > 0 ? argument.slice(0, separator) : argument;
  const exitCode = separator > 0 ? Number(argument.slice(separator + 1)) : 0;
  try {
    const report = JSON.parse(readFileSync(file, "utf8"));
    const suiteErrors = report.testResults.filter((f) => f.status === "failed" && f.assertionResults.every((a) => a.status !== "failed")).length;
    const reported = report.numFailedTests + suiteErrors;
    if (exitCode !== 0 && reported === 0) console.error(`${file}: the run exited ${exitCode} without a failed test in its report (an unhandled error?)`);
    passed += report.numPassedTests;
    failed += reported + (exitCode !== 0 && reported === 0 ? 1 : 0);
    skipped += report.numPendingTests + report.numTodoTests;
  } catch {
    console.error(`no readable test report at ${file}`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
