// Consumer-group coordination for the fake broker: member ids, generations, the join barrier
// that makes every member rejoin after a membership change, SyncGroup relaying the leader's
// assignment (kafkajs assigns client-side), session expiry, and committed offsets per group.
// It never interprets assignments or protocol metadata: they are opaque bytes, as in Kafka.
import { randomUUID } from "node:crypto";
import { ERROR_CODES } from "./protocolConstants.js";

export type GroupState = "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Stable";

export interface GroupProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinRequest {
  readonly groupId: string;
  readonly memberId: string;
  readonly clientId: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly GroupProtocol[];
}

export interface JoinResult {
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocol: string;
  readonly leaderId: string;
  readonly memberId: string;
  readonly members: ReadonlyArray<{ memberId: string; metadata: Buffer }>;
}

export interface SyncResult {
  readonly errorCode: number;
  readonly assignment: Buffer;
}

interface Member {
  readonly memberId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: readonly GroupProtocol[];
  lastSeen: number;
  awaitingJoin?: ((result: JoinResult) => void) | undefined;
  awaitingSync?: ((result: SyncResult) => void) | undefined;
}

interface ConsumerGroup {
  state: GroupState;
  generationId: number;
  protocolType: string | null;
  protocol: string;
  leaderId: string;
  readonly members: Map<string, Member>;
  assignments: Map<string, Buffer>;
  readonly offsets: Map<string, { offset: bigint; metadata: string }>;
  rebalanceTimer?: NodeJS.Timeout | undefined;
}

export interface GroupSnapshot {
  readonly state: GroupState;
  readonly generationId: number;
  readonly leaderId: string;
  readonly memberIds: readonly string[];
}

const offsetKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const failedJoin = (errorCode: number, memberId: string): JoinResult => ({ errorCode, generationId: -1, protocol: "", leaderId: "", memberId, members: [] });

export class GroupCoordinator {
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(sweepIntervalMs = 100) {
    this.sweeper = setInterval(() => this.expireSessions(), sweepIntervalMs);
    this.sweeper.unref();
  }

  join(request: JoinRequest): Promise<JoinResult> {
    const group = this.group(request.groupId);
    if (group.members.size > 0 && (group.protocolType !== request.protocolType || !this.hasCommonProtocol(group, request.protocols))) {
      return Promise.resolve(failedJoin(ERROR_CODES.INCONSISTENT_GROUP_PROTOCOL, request.memberId));
    }
    if (request.memberId !== "" && !group.members.has(request.memberId)) {
      return Promise.resolve(failedJoin(ERROR_CODES.UNKNOWN_MEMBER_ID, request.memberId));
    }
    const memberId = request.memberId || `${request.clientId}-${randomUUID()}`;
    const member = group.members.get(memberId) ?? { memberId, sessionTimeoutMs: 0, rebalanceTimeoutMs: 0, protocols: [], lastSeen: 0 };
    Object.assign(member, {
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      protocols: request.protocols,
      lastSeen: Date.now(),
    });
    group.members.set(memberId, member);
    group.protocolType = request.protocolType;
    // Any join starts a new generation: the other members learn it from their next heartbeat.
    if (group.state !== "PreparingRebalance") this.prepareRebalance(group);
    return new Promise((resolve) => {
      member.awaitingJoin?.(failedJoin(ERROR_CODES.UNKNOWN_MEMBER_ID, memberId));
      member.awaitingJoin = resolve;
      this.tryCompleteJoin(group);
    });
  }

  sync(groupId: string, generationId: number, memberId: string, assignments: ReadonlyMap<string, Buffer>): Promise<SyncResult> {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    const fail = (errorCode: number) => Promise.resolve({ errorCode, assignment: Buffer.alloc(0) });
    if (!group || !member) return fail(ERROR_CODES.UNKNOWN_MEMBER_ID);
    if (generationId !== group.generationId) return fail(ERROR_CODES.ILLEGAL_GENERATION);
    if (group.state === "PreparingRebalance") return fail(ERROR_CODES.REBALANCE_IN_PROGRESS);
    member.lastSeen = Date.now();
    const own = () => ({ errorCode: ERROR_CODES.NONE, assignment: group.assignments.get(memberId) ?? Buffer.alloc(0) });
    if (group.state === "Stable") return Promise.resolve(own());
    if (memberId === group.leaderId) {
      group.assignments = new Map(assignments);
      group.state = "Stable";
      for (const other of group.members.values()) {
        const waiting = other.awaitingSync;
        other.awaitingSync = undefined;
        waiting?.({ errorCode: ERROR_CODES.NONE, assignment: group.assignments.get(other.memberId) ?? Buffer.alloc(0) });
      }
      return Promise.resolve(own());
    }
    return new Promise((resolve) => {
      member.awaitingSync = resolve;
    });
  }

  heartbeat(groupId: string, generationId: number, memberId: string): number {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (!group || !member) return ERROR_CODES.UNKNOWN_MEMBER_ID;
    if (group.state === "PreparingRebalance" || group.state === "CompletingRebalance") return ERROR_CODES.REBALANCE_IN_PROGRESS;
    if (generationId !== group.generationId) return ERROR_CODES.ILLEGAL_GENERATION;
    member.lastSeen = Date.now();
    return ERROR_CODES.NONE;
  }

  leave(groupId: string, memberId: string): number {
    const group = this.groups.get(groupId);
    if (!group?.members.has(memberId)) return ERROR_CODES.UNKNOWN_MEMBER_ID;
    this.removeMember(group, memberId);
    return ERROR_CODES.NONE;
  }

  /** One error code for the whole request: Kafka fences a stale member before looking at partitions. */
  commitOffsets(
    groupId: string,
    generationId: number,
    memberId: string,
    commits: ReadonlyArray<{ topic: string; partition: number; offset: bigint; metadata: string | null }>,
  ): number {
    const group = this.group(groupId);
    // generation -1 with no member is the "simple" commit of a group nobody is consuming in.
    const standalone = generationId === -1 && memberId === "" && group.members.size === 0;
    if (!standalone) {
      const member = group.members.get(memberId);
      if (!member) return ERROR_CODES.UNKNOWN_MEMBER_ID;
      if (group.state !== "Stable") return ERROR_CODES.REBALANCE_IN_PROGRESS;
      if (generationId !== group.generationId) return ERROR_CODES.ILLEGAL_GENERATION;
      member.lastSeen = Date.now();
    }
    for (const commit of commits) group.offsets.set(offsetKey(commit.topic, commit.partition), { offset: commit.offset, metadata: commit.metadata ?? "" });
    return ERROR_CODES.NONE;
  }

  committedOffset(groupId: string, topic: string, partition: number): { offset: bigint; metadata: string } | undefined {
    return this.groups.get(groupId)?.offsets.get(offsetKey(topic, partition));
  }

  snapshot(groupId: string): GroupSnapshot | undefined {
    const group = this.groups.get(groupId);
    if (!group) return undefined;
    return { state: group.state, generationId: group.generationId, leaderId: group.leaderId, memberIds: [...group.members.keys()] };
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const group of this.groups.values()) {
      clearTimeout(group.rebalanceTimer);
      for (const member of group.members.values()) {
        member.awaitingJoin?.(failedJoin(ERROR_CODES.UNKNOWN_MEMBER_ID, member.memberId));
        member.awaitingSync?.({ errorCode: ERROR_CODES.UNKNOWN_MEMBER_ID, assignment: Buffer.alloc(0) });
      }
    }
  }

  private group(groupId: string): ConsumerGroup {
    let group = this.groups.get(groupId);
    if (!group) {
      group = {
        state: "Empty",
        generationId: 0,
        protocolType: null,
        protocol: "",
        leaderId: "",
        members: new Map(),
        assignments: new Map(),
        offsets: new Map(),
      };
      this.groups.set(groupId, group);
    }
    return group;
  }

  private hasCommonProtocol(group: ConsumerGroup, protocols: readonly GroupProtocol[]): boolean {
    return protocols.some((p) => [...group.members.values()].every((m) => m.protocols.some((q) => q.name === p.name)));
  }

  private prepareRebalance(group: ConsumerGroup): void {
    group.state = "PreparingRebalance";
    group.assignments = new Map();
    // Members still waiting for the old generation's assignment must rejoin.
    for (const member of group.members.values()) {
      const waiting = member.awaitingSync;
      member.awaitingSync = undefined;
      waiting?.({ errorCode: ERROR_CODES.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) });
    }
    const timeout = Math.max(0, ...[...group.members.values()].map((m) => m.rebalanceTimeoutMs));
    clearTimeout(group.rebalanceTimer);
    group.rebalanceTimer = setTimeout(() => this.completeJoin(group), timeout);
    group.rebalanceTimer.unref();
  }

  private tryCompleteJoin(group: ConsumerGroup): void {
    if (group.state !== "PreparingRebalance") return;
    if ([...group.members.values()].every((m) => m.awaitingJoin)) this.completeJoin(group);
  }

  /** Ends the join barrier: members that did not rejoin in time are dropped, like Kafka does. */
  private completeJoin(group: ConsumerGroup): void {
    clearTimeout(group.rebalanceTimer);
    group.rebalanceTimer = undefined;
    if (group.state !== "PreparingRebalance") return;
    for (const member of [...group.members.values()]) if (!member.awaitingJoin) group.members.delete(member.memberId);
    group.generationId += 1;
    const members = [...group.members.values()];
    const [first] = members;
    if (!first) {
      group.state = "Empty";
      group.leaderId = "";
      return;
    }
    if (!group.members.has(group.leaderId)) group.leaderId = first.memberId;
    const leader = group.members.get(group.leaderId)!;
    // The leader's most preferred protocol that every member supports.
    group.protocol = leader.protocols.find((p) => members.every((m) => m.protocols.some((q) => q.name === p.name)))?.name ?? "";
    group.state = "CompletingRebalance";
    const now = Date.now();
    for (const member of members) {
      const respond = member.awaitingJoin!;
      member.awaitingJoin = undefined;
      member.lastSeen = now;
      const roster =
        member === leader
          ? members.map((m) => ({ memberId: m.memberId, metadata: m.protocols.find((p) => p.name === group.protocol)?.metadata ?? Buffer.alloc(0) }))
          : [];
      respond({
        errorCode: ERROR_CODES.NONE,
        generationId: group.generationId,
        protocol: group.protocol,
        leaderId: group.leaderId,
        memberId: member.memberId,
        members: roster,
      });
    }
  }

  private removeMember(group: ConsumerGroup, memberId: string): void {
    const member = group.members.get(memberId);
    group.members.delete(memberId);
    member?.awaitingJoin?.(failedJoin(ERROR_CODES.UNKNOWN_MEMBER_ID, memberId));
    member?.awaitingSync?.({ errorCode: ERROR_CODES.UNKNOWN_MEMBER_ID, assignment: Buffer.alloc(0) });
    if (group.members.size === 0) {
      clearTimeout(group.rebalanceTimer);
      group.state = "Empty";
      group.generationId += 1;
      group.leaderId = "";
      return;
    }
    if (group.state !== "PreparingRebalance") this.prepareRebalance(group);
    this.tryCompleteJoin(group);
  }

  private expireSessions(): void {
    const now = Date.now();
    for (const group of this.groups.values()) {
      for (const member of [...group.members.values()]) {
        // A member parked in the join barrier is alive by definition; the rebalance timeout covers it.
        if (member.awaitingJoin || member.awaitingSync) continue;
        if (now - member.lastSeen > member.sessionTimeoutMs) this.removeMember(group, member.memberId);
      }
    }
  }
}
