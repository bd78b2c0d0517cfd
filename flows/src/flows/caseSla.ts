// The SLA watch on case work: every open case with an SLA due time gets a timer step that runs
// when the time passes; if the case is still open on the same clock, it is escalated through the
// gateway (priority up, new owner, a CASE_ESCALATED timeline entry), exactly once per clock. A
// case resolved, or escalated by a person first, makes the timer a no-op; resolving ends the run.
import type { FeedEvent, FlowDefinition, RunTrigger, StepDefinition } from "../engine/types.js";
import { PermanentStepError } from "../engine/types.js";
import { requireText, text } from "./support.js";

export const CASE_SLA = "caseSla";

/** Escalations the watch makes on its own; past this a person has to look (the clock still shows). */
export const MAX_SLA_ESCALATIONS = 3;

const CASE_CLOCK = `query($n: ID!) { case(caseNumber: $n) { status slaDueAt escalationLevel } }`;
const ESCALATE = `mutation($n: ID!, $r: String!, $k: String) { escalateCase(caseNumber: $n, reason: $r, idempotencyKey: $k) { escalationLevel slaDueAt } }`;

interface CaseClock {
  status: string;
  slaDueAt: string | null;
  escalationLevel: number;
}

const escalateOnBreach: StepDefinition = {
  async run(ctx) {
    const caseNumber = requireText(ctx.input, "caseNumber");
    const dueAt = requireText(ctx.input, "slaDueAt");
    const { case: found } = await ctx.gateway.request<{ case: CaseClock | null }>(CASE_CLOCK, { n: caseNumber });
    if (!found) throw new PermanentStepError(`no case ${caseNumber}`, "UNKNOWN_CASE");
    // Resolved, or the clock was restarted (escalated by hand): this timer is stale. Compared as
    // instants, since the feed and the CRM may spell the same time differently.
    const sameClock = found.slaDueAt !== null && Date.parse(found.slaDueAt) === Date.parse(dueAt);
    if (found.status === "RESOLVED" || !sameClock) return { output: { escalated: false, status: found.status } };
    const { escalateCase } = await ctx.gateway.request<{ escalateCase: { escalationLevel: number; slaDueAt: string | null } }>(ESCALATE, {
      n: caseNumber,
      r: `SLA breached: due ${dueAt}`,
      k: ctx.idempotencyKey,
    });
    return { output: { escalated: true, escalationLevel: escalateCase.escalationLevel, slaDueAt: escalateCase.slaDueAt } };
  },
};

function route(event: FeedEvent): RunTrigger[] {
  const p = event.payload;
  const caseNumber = text(p["caseNumber"]);
  if (!caseNumber) return [];
  const base = { flow: CASE_SLA, subjectKey: caseNumber, orderNumber: text(p["orderNumber"]), customerNumber: text(p["customerNumber"]) };
  if (p["status"] === "RESOLVED") {
    return [{ ...base, create: false, facts: { done: true, resolved: true }, skipPendingKinds: ["escalateOnBreach"] }];
  }
  const slaDueAt = text(p["slaDueAt"]);
  const level = typeof p["escalationLevel"] === "number" ? p["escalationLevel"] : 0;
  if (!slaDueAt || level >= MAX_SLA_ESCALATIONS) return [];
  return [
    {
      ...base,
      create: true,
      facts: { caseNumber, slaDueAt, escalationLevel: level },
      // One timer per clock: a status change on the same clock names the same step and adds nothing.
      steps: [{ name: `escalateOnBreach@${slaDueAt}`, kind: "escalateOnBreach", input: { caseNumber, slaDueAt }, notBefore: slaDueAt }],
    },
  ];
}

export const caseSla: FlowDefinition = { name: CASE_SLA, entityTypes: ["Case"], steps: { escalateOnBreach }, route };
