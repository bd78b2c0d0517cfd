// Seeds the CRM's slice of the shared demo world: sales reps, accounts (one per ERP customer),
// contacts, cases and the timeline, in one transaction, and moves the case number sequence past
// the seeded cases. It runs only on an empty database and never touches ERP or WMS data.
import { generateDemoWorld, type DemoCase, type DemoCustomer } from "@crossdock/schema";
import type { Prisma } from "./__generated__/prisma/client.js";
import type { CrmPrisma } from "./db.js";
import { CASE_NUMBER_SEQUENCE, parseCaseNumber } from "./writes/caseNumbers.js";

const CHUNK = 1000;
const DAY_MS = 86_400_000;

export interface SeedResult {
  seeded: boolean;
  owners: number;
  accounts: number;
  contacts: number;
  cases: number;
  timelineEntries: number;
}

/** A stable id for a sales rep, derived from the name so it is the same at every scale. */
export function ownerIdFor(name: string): string {
  return `OWN-${name
    .trim()
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "-")}`;
}

function ownerEmailFor(name: string): string {
  return `${name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ".")}@crossdock-distribution.example`;
}

function accountIdOf(customers: Map<string, DemoCustomer>, customerNumber: string): string {
  const customer = customers.get(customerNumber);
  if (!customer) throw new Error(`demo world refers to unknown customer ${customerNumber}`);
  return customer.accountId;
}

// The demo world says when a case was opened and whether it is resolved; the CRM also keeps
// when and how. Derived deterministically so every seeded database agrees.
function resolutionOf(demo: DemoCase): { resolvedAt: Date | null; resolution: string | null } {
  if (demo.status !== "RESOLVED") return { resolvedAt: null, resolution: null };
  return { resolvedAt: new Date(Date.parse(demo.openedAt) + 2 * DAY_MS), resolution: "Resolved with the customer by the account team" };
}

async function insertInChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) await insert(rows.slice(start, start + CHUNK));
}

export async function seedDemoWorld(prisma: CrmPrisma, options: { scale: number }): Promise<SeedResult> {
  if ((await prisma.account.count()) > 0) return { seeded: false, owners: 0, accounts: 0, contacts: 0, cases: 0, timelineEntries: 0 };
  const world = generateDemoWorld({ scale: options.scale });
  const customers = new Map(world.customers.map((c) => [c.customerNumber, c]));

  const ownerNames = [...new Set(world.customers.map((c) => c.owner))].sort();
  const owners: Prisma.OwnerCreateManyInput[] = ownerNames.map((name) => ({ ownerId: ownerIdFor(name), name, email: ownerEmailFor(name) }));
  const accounts: Prisma.AccountCreateManyInput[] = world.customers.map((c) => ({
    accountId: c.accountId,
    customerNumber: c.customerNumber,
    name: c.name,
    segment: c.segment,
    ownerId: ownerIdFor(c.owner),
  }));
  const contacts: Prisma.ContactCreateManyInput[] = world.customers.flatMap((c) => c.contacts.map((contact) => ({ ...contact, accountId: c.accountId })));
  const cases: Prisma.CaseCreateManyInput[] = world.cases.map((demo) => ({
    caseNumber: demo.caseNumber,
    accountId: accountIdOf(customers, demo.customerNumber),
    customerNumber: demo.customerNumber,
    orderNumber: demo.orderNumber,
    subject: demo.subject,
    status: demo.status,
    priority: demo.priority,
    openedAt: new Date(demo.openedAt),
    ...resolutionOf(demo),
  }));
  const timeline: Prisma.TimelineEntryCreateManyInput[] = world.timeline.map((entry) => ({
    accountId: accountIdOf(customers, entry.customerNumber),
    customerNumber: entry.customerNumber,
    orderNumber: entry.orderNumber,
    kind: entry.kind,
    summary: entry.summary,
    occurredAt: new Date(entry.occurredAt),
    source: "seed",
  }));
  // Seeded cases get the same timeline entries (and keys) that openCase/resolveCase write live.
  for (const demo of world.cases) {
    const base = {
      accountId: accountIdOf(customers, demo.customerNumber),
      customerNumber: demo.customerNumber,
      orderNumber: demo.orderNumber,
      caseNumber: demo.caseNumber,
      source: "seed",
    };
    timeline.push({
      ...base,
      kind: "CASE_OPENED",
      summary: `Case ${demo.caseNumber} opened (${demo.priority}): ${demo.subject}`,
      occurredAt: new Date(demo.openedAt),
      externalKey: `case:${demo.caseNumber}:opened`,
    });
    const { resolvedAt, resolution } = resolutionOf(demo);
    if (resolvedAt) {
      timeline.push({
        ...base,
        kind: "CASE_RESOLVED",
        summary: `Case ${demo.caseNumber} resolved: ${resolution}`,
        occurredAt: resolvedAt,
        externalKey: `case:${demo.caseNumber}:resolved`,
      });
    }
  }
  const lastCaseNumber = Math.max(0, ...world.cases.map((c) => parseCaseNumber(c.caseNumber) ?? 0));

  await prisma.$transaction(
    async (tx) => {
      await insertInChunks(owners, (data) => tx.owner.createMany({ data }));
      await insertInChunks(accounts, (data) => tx.account.createMany({ data }));
      await insertInChunks(contacts, (data) => tx.contact.createMany({ data }));
      await insertInChunks(cases, (data) => tx.case.createMany({ data }));
      await insertInChunks(timeline, (data) => tx.timelineEntry.createMany({ data }));
      if (lastCaseNumber > 0) await tx.$queryRawUnsafe(`SELECT setval('${CASE_NUMBER_SEQUENCE}', $1)`, lastCaseNumber);
    },
    // As long as the ERP's and WMS's seeds may take: scale 10 on a busy machine outlasts 2 minutes.
    { maxWait: 10_000, timeout: 600_000 },
  );
  return { seeded: true, owners: owners.length, accounts: accounts.length, contacts: contacts.length, cases: cases.length, timelineEntries: timeline.length };
}
