// Live inventory: positions for a SKU or warehouse filter, kept current by the
// inventoryChanged subscription; a row that just changed is marked until the next change.
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { request, subscribe } from "../graphql.js";

interface Position {
  sku: string;
  warehouseCode: string;
  onHand: string;
  allocated: string;
  available: string;
  updatedAt: string;
}

const POSITIONS = `query ConsoleInventory($sku: ID, $warehouseCode: ID) {
  inventoryPositions(sku: $sku, warehouseCode: $warehouseCode, first: 200) {
    edges { node { sku warehouseCode onHand allocated available updatedAt } }
  }
}`;
const CHANGES = `subscription ConsoleInventoryChanges($sku: ID, $warehouseCode: ID) {
  inventoryChanged(sku: $sku, warehouseCode: $warehouseCode) {
    cursor position { sku warehouseCode onHand allocated available updatedAt }
  }
}`;

const keyOf = (p: Position) => `${p.sku}|${p.warehouseCode}`;

export function LiveInventory() {
  const [filter, setFilter] = useState({ sku: "", warehouseCode: "" });
  const [draft, setDraft] = useState(filter);
  const [rows, setRows] = useState<Position[]>([]);
  const [changed, setChanged] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  useEffect(() => {
    const variables = { sku: filter.sku || null, warehouseCode: filter.warehouseCode || null };
    let stopped = false;
    setLive(false);
    request<{ inventoryPositions: { edges: { node: Position }[] } }>(POSITIONS, variables)
      .then((data) => !stopped && setRows(data.inventoryPositions.edges.map((e) => e.node)))
      .catch((failure: Error) => setError(failure.message));
    const stop = subscribe<{ inventoryChanged: { position: Position } }>(
      CHANGES,
      variables,
      ({ inventoryChanged }) => {
        const position = inventoryChanged.position;
        setLive(true);
        setChanged(keyOf(position));
        setRows((current) => {
          const next = current.filter((row) => keyOf(row) !== keyOf(position));
          return [position, ...next];
        });
      },
      (message) => setError(message),
    );
    // The subscription is live once the socket is up; mark it when the first change arrives or soon after.
    const liveTimer = setTimeout(() => setLive(true), 1500);
    return () => ((stopped = true), clearTimeout(liveTimer), stop());
  }, [filter]);
  const apply = (event: Event) => (event.preventDefault(), setError(null), setFilter(draft));
  return html`
    <h2>Live inventory</h2>
    <form class="inline" onSubmit=${apply}>
      <input name="sku" placeholder="SKU" value=${draft.sku} onInput=${(e: Event) => setDraft({ ...draft, sku: (e.target as HTMLInputElement).value })} />
      <input
        name="warehouseCode"
        placeholder="Warehouse"
        value=${draft.warehouseCode}
        onInput=${(e: Event) => setDraft({ ...draft, warehouseCode: (e.target as HTMLInputElement).value })}
      />
      <button type="submit">Filter</button>
      <span class=${live ? "good" : "warn"} data-live=${live ? "yes" : "no"}>${live ? "● live" : "connecting…"}</span>
    </form>
    ${error && html`<div class="error" role="alert">${error}</div>`}
    <table data-table="inventory">
      <thead>
        <tr>
          <th>SKU</th>
          <th>Warehouse</th>
          <th>On hand</th>
          <th>Allocated</th>
          <th>Available</th>
          <th>Updated</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (p) =>
            html`<tr data-key=${keyOf(p)} class=${changed === keyOf(p) ? "warn" : ""}>
              <td>${p.sku}</td>
              <td>${p.warehouseCode}</td>
              <td data-on-hand>${p.onHand}</td>
              <td>${p.allocated}</td>
              <td>${p.available}</td>
              <td>${p.updatedAt}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  `;
}
