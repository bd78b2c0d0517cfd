// Flow runs: parked runs with the step that stopped them and why; an operator retries the run,
// skips the failed step, or cancels the run with a reason (each recorded in the audit log).
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { request } from "../graphql.js";
import { usePolling } from "./usePolling.js";

const PARKED = `query ConsoleParkedRuns {
  parkedFlowRuns(first: 100) {
    runId flow subjectKey status lastError parkedAt operatorActions
    steps { name status lastError lastErrorCode attempts }
  }
}`;

interface Run {
  runId: string;
  flow: string;
  subjectKey: string;
  status: string;
  lastError: string | null;
  parkedAt: string | null;
  operatorActions: number;
  steps: { name: string; status: string; lastError: string | null; lastErrorCode: string | null; attempts: number }[];
}

const ACTIONS = {
  retry: `mutation ConsoleRetryRun($runId: ID!) { retryFlowRun(runId: $runId) { runId status } }`,
  skip: `mutation ConsoleSkipStep($runId: ID!, $step: String!) { skipFlowStep(runId: $runId, step: $step) { runId status } }`,
  cancel: `mutation ConsoleCancelRun($runId: ID!, $reason: String!) { cancelFlowRun(runId: $runId, reason: $reason) { runId status } }`,
};

export function FlowRuns() {
  const { data, error, reload } = usePolling<{ parkedFlowRuns: Run[] }>(PARKED, {}, 5000);
  const [message, setMessage] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const act = async (action: keyof typeof ACTIONS, run: Run) => {
    setActionError(null);
    setMessage(null);
    const parkedStep = run.steps.find((s) => s.status === "PARKED");
    const variables: Record<string, unknown> = { runId: run.runId };
    if (action === "skip") variables["step"] = parkedStep?.name ?? "";
    if (action === "cancel") {
      const reason = prompt(`Why cancel ${run.runId}?`);
      if (!reason) return;
      variables["reason"] = reason;
    }
    try {
      const answer = await request<Record<string, { runId: string; status: string }>>(ACTIONS[action], variables);
      const result = Object.values(answer)[0]!;
      setMessage(`${result.runId}: ${result.status}`);
      reload();
    } catch (failure) {
      setActionError((failure as Error).message);
    }
  };
  const runs = data?.parkedFlowRuns ?? [];
  return html`
    <h2>Parked flow runs</h2>
    ${(error || actionError) && html`<div class="error" role="alert">${actionError ?? error}</div>`}
    ${message && html`<div class="notice" role="status">${message}</div>`} ${data && runs.length === 0 && html`<div class="notice">No parked flow runs.</div>`}
    <table data-table="flow-runs">
      <thead>
        <tr>
          <th>Run</th>
          <th>Flow</th>
          <th>Parked step</th>
          <th>Why</th>
          <th>Parked at</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${runs.map((run) => {
          const step = run.steps.find((s) => s.status === "PARKED");
          return html`<tr data-run=${run.runId}>
            <td><code>${run.runId}</code></td>
            <td>${run.flow}</td>
            <td>${step?.name ?? "–"}${step ? html`<br /><small>${step.attempts} attempts</small>` : ""}</td>
            <td>${step?.lastErrorCode ? html`<strong>${step.lastErrorCode}</strong><br />` : ""}${step?.lastError ?? run.lastError ?? ""}</td>
            <td>${run.parkedAt ?? ""}</td>
            <td>
              <button data-action="retry" onClick=${() => act("retry", run)}>Retry</button>
              ${step && html`<button data-action="skip" onClick=${() => act("skip", run)}>Skip step</button>`}
              <button data-action="cancel" onClick=${() => act("cancel", run)}>Cancel</button>
            </td>
          </tr>`;
        })}
      </tbody>
    </table>
  `;
}
