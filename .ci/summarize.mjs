// Sums vitest JSON reports into CI's last line: "N passed, N failed" (plus skipped). A report
// that is missing or unreadable counts as one failure, as does a file that failed to load
// (its suite errored before any test ran).
import { readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  try {
    const report = JSON.parse(readFileSync(file, "utf8"));
    const suiteErrors = report.testResults.filter((f) => f.status === "failed" && f.assertionResults.every((a) => a.status !== "failed")).length;
    passed += report.numPassedTests;
    failed += report.numFailedTests + suiteErrors;
    skipped += report.numPendingTests + report.numTodoTests;
  } catch {
    console.error(`no readable test report at ${file}`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
