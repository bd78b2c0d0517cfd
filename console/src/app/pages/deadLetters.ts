// Dead letters: change events capture could not decode or apply, with their reason and raw
// payload; an operator replays one (after fixing its cause) or discards it.
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { request } from "../graphql.js";
import { usePolling } from "./usePolling.js";

const LETTERS = `query ConsoleDeadLetters($status: DeadLetterStatus) {
  deadLetters(status: $status, first: 100) {
    edges { node { id source topic reason error attempts position lastFailedAt status rawValue } }
  }
}`;

interface Letter {
  id: string;
  source: string;
  topic: string;
  reason: string;
  error: string;
  attempts: number;
  position: string | null;
  lastFailedAt: string;
  status: string;
  rawValue: string | null;
}

const ACTIONS = {
  replayDeadLetter: `mutation ConsoleReplayDeadLetter($id: ID!) { replayDeadLetter(id: $id) { id status error } }`,
  discardDeadLetter: `mutation ConsoleDiscardDeadLetter($id: ID!) { discardDeadLetter(id: $id) { id status error } }`,
};

export function DeadLetters() {
  const [status, setStatus] = useState("PARKED");
  const [message, setMessage] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const { data, error, reload } = usePolling<{ deadLetters: { edges: { node: Letter }[] } }>(LETTERS, { status }, 5000);
  const act = async (mutation: "replayDeadLetter" | "discardDeadLetter", id: string) => {
    setActionError(null);
    setMessage(null);
    try {
      const answer = await request<Record<string, { id: string; status: string; error: string }>>(ACTIONS[mutation], { id });
      const letter = answer[mutation]!;
      setMessage(`Dead letter ${letter.id}: ${letter.status}${letter.status === "PARKED" ? ` (still failing: ${letter.error})` : ""}`);
      reload();
    } catch (failure) {
      setActionError((failure as Error).message);
    }
  };
  const letters = data?.deadLetters.edges.map((e) => e.node) ?? [];
  return html`
    <h2>Dead letters</h2>
    <form class="inline">
      <select name="status" value=${status} onChange=${(e: Event) => setStatus((e.target as HTMLSelectElement).value)}>
        <option value="PARKED">Parked</option>
        <option value="REPLAYED">Replayed</option>
        <option value="DISCARDED">Discarded</option>
      </select>
    </form>
    ${(error || actionError) && html`<div class="error" role="alert">${actionError ?? error}</div>`}
    ${message && html`<div class="notice" role="status">${message}</div>`}
    ${data && letters.length === 0 && html`<div class="notice">No ${status.toLowerCase()} dead letters.</div>`}
    <table data-table="dead-letters">
      <thead>
        <tr>
          <th>Id</th>
          <th>Source / topic</th>
          <th>Reason</th>
          <th>Attempts</th>
          <th>Last failed</th>
          <th>Payload</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${letters.map(
          (l) =>
            html`<tr data-id=${l.id}>
              <td>${l.id}</td>
              <td>${l.source}<br /><code>${l.topic}</code></td>
              <td><strong>${l.reason}</strong><br />${l.error}</td>
              <td>${l.attempts}</td>
              <td>${l.lastFailedAt}</td>
              <td><pre>${l.rawValue ?? ""}</pre></td>
              <td>
                ${
                  l.status === "PARKED" &&
                  html`<button data-action="replay" onClick=${() => act("replayDeadLetter", l.id)}>Replay</button>
                    <button data-action="discard" onClick=${() => act("discardDeadLetter", l.id)}>Discard</button>`
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  `;
}
