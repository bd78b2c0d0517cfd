// Audit log: every write in the hub, newest first, filtered by caller, entity or system.
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { usePolling } from "./usePolling.js";

const AUDIT = `query ConsoleAudit($subject: String, $entityKey: ID, $system: String) {
  auditLog(first: 100, subject: $subject, entityKey: $entityKey, system: $system) {
    edges { node { at system subject subjectKind operation entityType entityKey requestId } }
  }
}`;

interface Entry {
  at: string;
  system: string;
  subject: string;
  subjectKind: string;
  operation: string;
  entityType: string;
  entityKey: string;
  requestId: string | null;
}

export function AuditLog() {
  const [draft, setDraft] = useState({ subject: "", entityKey: "", system: "" });
  const [filter, setFilter] = useState(draft);
  const variables = { subject: filter.subject || null, entityKey: filter.entityKey || null, system: filter.system || null };
  const { data, error } = usePolling<{ auditLog: { edges: { node: Entry }[] } }>(AUDIT, variables, 5000);
  const field = (name: keyof typeof draft, placeholder: string) =>
    html`<input
      name=${name}
      placeholder=${placeholder}
      value=${draft[name]}
      onInput=${(e: Event) => setDraft({ ...draft, [name]: (e.target as HTMLInputElement).value })}
    />`;
  return html`
    <h2>Audit log</h2>
    <form class="inline" onSubmit=${(e: Event) => (e.preventDefault(), setFilter(draft))}>
      ${field("subject", "Caller (sub)")} ${field("entityKey", "Entity key")} ${field("system", "System (erp, crm, wms, ops, flows)")}
      <button type="submit">Filter</button>
    </form>
    ${error && html`<div class="error" role="alert">${error}</div>`}
    <table data-table="audit">
      <thead>
        <tr>
          <th>When</th>
          <th>System</th>
          <th>Caller</th>
          <th>Operation</th>
          <th>Entity</th>
          <th>Request</th>
        </tr>
      </thead>
      <tbody>
        ${(data?.auditLog.edges ?? []).map(
          ({ node: e }) =>
            html`<tr>
              <td>${e.at}</td>
              <td>${e.system}</td>
              <td>${e.subject} <small>(${e.subjectKind})</small></td>
              <td>${e.operation}</td>
              <td>${e.entityType} <code>${e.entityKey}</code></td>
              <td><code>${e.requestId ?? ""}</code></td>
            </tr>`,
        )}
      </tbody>
    </table>
  `;
}
