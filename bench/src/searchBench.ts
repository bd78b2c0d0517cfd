// `npm run bench:search`: the service desk's search (Query.search) on the whole hub at seed scale
// 10 on Postgres (by default), over realistic texts sampled from the data: order numbers and parts
// of them, PO references, tracking numbers, customer name words, contact names, emails and phones
// as typed. Measured through the gateway (hits resolved by their subgraphs) and at the ops subgraph
// (the search alone). Prints p50/p95/p99 per run and per kind of text; asserts nothing.
import { parseArgs } from "node:util";
import { ALL_ACCESS, createTestDatabases, postgresAdminUrl, principalHeaders } from "@crossdock/test";
import { benchAuthorization } from "./support/benchIdentity.js";
import { startHubProcess, type HubProcess } from "./support/hubProcess.js";
import { percentile, runLoad, type LoadResult } from "./support/load.js";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "15" },
    concurrency: { type: "string", default: "4" },
    backend: { type: "string", default: "postgres" },
    scale: { type: "string", default: "10" },
    postgres: { type: "string", default: postgresAdminUrl },
  },
});
const durationMs = Number(values.duration) * 1000;
const concurrency = Number(values.concurrency);
const TARGET_P95_MS = 50;

/** What a service desk screen asks for each hit. */
const THROUGH_GATEWAY = `query Search($text: String!) { search(text: $text, first: 20) { edges { cursor node { matchedOn score hit { __typename
  ... on Order { orderNumber orderStatus: status customer { name } }
  ... on Shipment { shipmentId trackingNumber shipmentStatus: status }
  ... on Customer { customerNumber name }
  ... on Contact { contactId name email phone } } } } pageInfo { hasNextPage endCursor } } }`;
/** The search alone: the ops subgraph answers references. */
const AT_OPS = `query Search($text: String!) { search(text: $text, first: 20) { edges { cursor node { matchedOn score hit { __typename } } } pageInfo { hasNextPage } } }`;
/** The ops subgraph called as the gateway calls it: an all-access principal signed with the bench's secret. */
const OPS_CALLER = principalHeaders(ALL_ACCESS, "bench-principal-secret");

interface SampledOrder {
  orderNumber: string;
  externalReference: string | null;
  customer: { name: string; account: { contacts: { name: string; email: string | null; phone: string | null }[] } | null };
  fulfillments: { shipments: { trackingNumber: string }[] }[];
}

interface SearchText {
  kind: string;
  text: string;
}

async function gatewayData<T>(hub: HubProcess, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(hub.gatewayUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...benchAuthorization() },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (!body.data || body.errors) throw new Error(`sample query failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Texts a service desk types, taken from 200 orders spread over the data. */
async function sampleTexts(hub: HubProcess): Promise<SearchText[]> {
  const data = await gatewayData<{ orders: { edges: { node: SampledOrder }[] } }>(
    hub,
    `{ orders(first: 200) { edges { node { orderNumber externalReference
       customer { name account { contacts { name email phone } } } fulfillments { shipments { trackingNumber } } } } } }`,
  );
  const texts: SearchText[] = [];
  for (const { node } of data.orders.edges) {
    texts.push({ kind: "order number", text: node.orderNumber });
    texts.push({ kind: "order number, start", text: node.orderNumber.slice(0, -2) });
    if (node.externalReference) texts.push({ kind: "PO reference", text: node.externalReference });
    for (const f of node.fulfillments) for (const s of f.shipments) texts.push({ kind: "tracking number", text: s.trackingNumber });
    const word = node.customer.name.split(/\s+/).find((w) => w.length >= 4);
    if (word) texts.push({ kind: "customer name word", text: word });
    const contact = node.customer.account?.contacts[0];
    if (contact) {
      texts.push({ kind: "contact last name", text: contact.name.split(" ").at(-1)! });
      if (contact.email) texts.push({ kind: "contact email", text: contact.email });
      if (contact.phone)
        texts.push({
          kind: "phone as typed",
          text: contact.phone
            .replace(/\D/g, "")
            .slice(1)
            .replace(/^(\d{3})(\d{3})/, "$1 $2 "),
        });
    }
  }
  return texts;
}

/** Waits until the read model's search index holds the last sampled PO reference (the snapshot is applied after start). */
async function waitForIndex(hub: HubProcess, texts: SearchText[]): Promise<void> {
  const probe = texts.filter((t) => t.kind === "PO reference").at(-1)!;
  const deadline = Date.now() + 600_000;
  for (;;) {
    const data = await gatewayData<{ search: { edges: unknown[] } }>(hub, AT_OPS, { text: probe.text });
    if (data.search.edges.length > 0) return;
    if (Date.now() > deadline) throw new Error("the search index did not catch up within 10 minutes");
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function summary(label: string, latencies: number[], extra = ""): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  const cells = [String(sorted.length), ...[50, 95, 99].map((p) => percentile(sorted, p).toFixed(1))];
  return label.padEnd(36) + cells.map((c) => c.padEnd(10)).join("") + extra;
}

function measure(url: string, query: string, texts: SearchText[], headers?: Record<string, string>): Promise<LoadResult> {
  return runLoad({ url, concurrency, durationMs, headers, body: (i) => JSON.stringify({ query, variables: { text: texts[i % texts.length]!.text } }) });
}

/** Drops the run's databases; a failure (the server restarting, say) is reported, not thrown over the run's own error. */
async function dropQuietly(databases: { drop(): Promise<void> } | undefined): Promise<void> {
  await databases?.drop().catch((error: unknown) => console.error(`could not drop the bench databases: ${String(error)}`));
}

async function benchBackend(backend: "pglite" | "postgres"): Promise<void> {
  const databases = backend === "postgres" ? await createTestDatabases(["erp", "crm", "wms", "hub"] as const, values.postgres!) : undefined;
  const env: Record<string, string> = databases
    ? {
        CROSSDOCK_CAPTURE: "pg-logical",
        ERP_DATABASE_URL: databases.urls.erp,
        CRM_DATABASE_URL: databases.urls.crm,
        WMS_DATABASE_URL: databases.urls.wms,
        HUB_DATABASE_URL: databases.urls.hub,
      }
    : {};
  const started = Date.now();
  let hub: HubProcess;
  try {
    // Seeding scale 10 takes minutes (more on a busy machine).
    hub = await startHubProcess({ env, seedScale: Number(values.scale), startTimeoutMs: 1_200_000 });
  } catch (error) {
    await dropQuietly(databases);
    throw error;
  }
  try {
    const texts = await sampleTexts(hub);
    await waitForIndex(hub, texts);
    console.log(`${backend}: hub up and indexed in ${((Date.now() - started) / 1000).toFixed(0)} s; ${texts.length} texts`);
    const opsUrl = `${hub.serviceBaseUrls.ops}/graphql`;
    // Warm-up: plan caches, connection pools and JIT settle before anything is measured.
    await measure(opsUrl, AT_OPS, texts, OPS_CALLER);
    console.log("run".padEnd(36) + ["requests", "p50 ms", "p95 ms", "p99 ms"].map((h) => h.padEnd(10)).join(""));
    for (const [label, url, query, headers] of [
      [`${backend}: ops subgraph (search alone)`, opsUrl, AT_OPS, OPS_CALLER],
      [`${backend}: gateway (hits resolved)`, hub.gatewayUrl, THROUGH_GATEWAY, undefined],
    ] as const) {
      const result = await measure(url, query, texts, headers);
      const p95 = percentile(
        [...result.latenciesMs].sort((a, b) => a - b),
        95,
      );
      console.log(
        summary(label, result.latenciesMs, `errors ${result.errors}; p95 ${p95 <= TARGET_P95_MS ? "within" : "ABOVE"} the ${TARGET_P95_MS} ms target`),
      );
    }
    // Per kind of text, one client, each text once: which searches cost what.
    const byKind = new Map<string, number[]>();
    for (const text of texts) {
      const t0 = performance.now();
      await fetch(opsUrl, {
        method: "POST",
        headers: { "content-type": "application/json", ...OPS_CALLER },
        body: JSON.stringify({ query: AT_OPS, variables: { text: text.text } }),
      }).then((r) => r.text());
      byKind.set(text.kind, [...(byKind.get(text.kind) ?? []), performance.now() - t0]);
    }
    console.log(`\n${backend}: ops subgraph, one client, per kind of text`);
    for (const [kind, latencies] of byKind) console.log(summary(`  ${kind}`, latencies));
  } finally {
    await hub.stop();
    await dropQuietly(databases);
  }
}

const backends = values.backend === "both" ? (["pglite", "postgres"] as const) : [values.backend as "pglite" | "postgres"];
console.log(`search benchmark: ${concurrency} concurrent clients, ${durationMs / 1000} s per run, seed scale ${values.scale}, node ${process.version}\n`);
for (const backend of backends) await benchBackend(backend);
