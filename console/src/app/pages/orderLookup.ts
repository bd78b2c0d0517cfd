// Order lookup: one order's unified status across the ERP, the WMS, the CRM timeline and the
// flows, by order number.
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { request } from "../graphql.js";

const ORDER = `query ConsoleOrder($orderNumber: ID!) {
  order(orderNumber: $orderNumber) {
    orderNumber status customerNumber total currency placedAt warehouseCode billingHold
    statusView { stage lastEventAt sourceCommittedAt }
    timeline { kind occurredAt summary }
    flowRuns { runId flow status lastError parkedAt finishedAt }
  }
}`;

interface OrderData {
  orderNumber: string;
  status: string;
  customerNumber: string;
  total: string;
  currency: string;
  placedAt: string;
  warehouseCode: string;
  billingHold: boolean;
  statusView: { stage: string; lastEventAt: string; sourceCommittedAt: string } | null;
  timeline: { kind: string; occurredAt: string; summary: string }[];
  flowRuns: { runId: string; flow: string; status: string; lastError: string | null; parkedAt: string | null; finishedAt: string | null }[];
}

export function OrderLookup() {
  const [number, setNumber] = useState(new URLSearchParams(location.hash.split("?")[1] ?? "").get("order") ?? "");
  const [order, setOrder] = useState<OrderData | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const lookUp = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      setOrder((await request<{ order: OrderData | null }>(ORDER, { orderNumber: number.trim() })).order);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return html`
    <h2>Order lookup</h2>
    <form class="inline" onSubmit=${lookUp}>
      <input name="orderNumber" placeholder="SO-100001" value=${number} onInput=${(e: Event) => setNumber((e.target as HTMLInputElement).value)} />
      <button class="primary" type="submit">Look up</button>
    </form>
    ${error && html`<div class="error" role="alert">${error}</div>`}
    ${order === null && html`<div class="notice">No order ${number} (or not one your credentials may see).</div>`}
    ${
      order &&
      html`
        <div class="cards" data-order=${order.orderNumber}>
          <div class="card">
            <div class="value" data-stage>${order.statusView?.stage ?? order.status}</div>
            <div class="label">Stage (read model)</div>
          </div>
          <div class="card">
            <div class="value">${order.status}</div>
            <div class="label">ERP status</div>
          </div>
          <div class="card">
            <div class="value">${order.total} ${order.currency}</div>
            <div class="label">${order.customerNumber} · ${order.warehouseCode}</div>
          </div>
          <div class="card">
            <div class="value">${order.billingHold ? "held" : "no"}</div>
            <div class="label">Billing hold</div>
          </div>
        </div>
        <h2>Timeline</h2>
        <table data-table="timeline">
          <thead>
            <tr>
              <th>When</th>
              <th>What</th>
              <th>Summary</th>
            </tr>
          </thead>
          <tbody>
            ${order.timeline.map(
              (t) =>
                html`<tr>
                  <td>${t.occurredAt}</td>
                  <td>${t.kind}</td>
                  <td>${t.summary}</td>
                </tr>`,
            )}
          </tbody>
        </table>
        <h2>Flow runs</h2>
        <table data-table="order-flows">
          <thead>
            <tr>
              <th>Run</th>
              <th>Flow</th>
              <th>Status</th>
              <th>Last error</th>
            </tr>
          </thead>
          <tbody>
            ${order.flowRuns.map(
              (r) =>
                html`<tr>
                  <td><code>${r.runId}</code></td>
                  <td>${r.flow}</td>
                  <td>${r.status}</td>
                  <td>${r.lastError ?? ""}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      `
    }
  `;
}
