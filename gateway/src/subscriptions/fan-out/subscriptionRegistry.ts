// Who listens to what: subscribers indexed by stream and filter key, so a change reaches only
// the subscribers of its key (plus the wildcard ones) instead of a scan over everyone, and the
// selection groups they share.
import { encodePrincipal, type Principal } from "@crossdock/platform";
import type { CanonicalSelection } from "../operationPlan.js";
import { SelectionGroup, type SelectionGroupServices } from "./selectionGroup.js";
import { visibleToSubscriber, type StreamEvent, type StreamField } from "../streamFields.js";
import type { Subscriber } from "./subscriber.js";

export class SubscriptionRegistry {
  private readonly buckets = new Map<string, Set<Subscriber>>();
  private readonly groups = new Map<string, SelectionGroup>();
  private readonly all = new Set<Subscriber>();

  constructor(private readonly services: SelectionGroupServices) {}

  get size(): number {
    return this.all.size;
  }

  get groupCount(): number {
    return this.groups.size;
  }

  subscribers(): IterableIterator<Subscriber> {
    return this.all.values();
  }

  /** The group for this selection and principal, created on first use. */
  groupFor(selection: CanonicalSelection, principal: Principal): SelectionGroup {
    const key = `${encodePrincipal(principal)}\n${selection.key}`;
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = new SelectionGroup(key, selection, principal, this.services)));
    group.members++;
    return group;
  }

  add(subscriber: Subscriber): void {
    const key = `${subscriber.field.name}:${subscriber.field.subscriberBucket(subscriber.filter)}`;
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new Set()));
    bucket.add(subscriber);
    this.all.add(subscriber);
  }

  remove(subscriber: Subscriber): void {
    if (!this.all.delete(subscriber)) return;
    const key = `${subscriber.field.name}:${subscriber.field.subscriberBucket(subscriber.filter)}`;
    const bucket = this.buckets.get(key);
    bucket?.delete(subscriber);
    if (bucket?.size === 0) this.buckets.delete(key);
    const group = subscriber.group;
    if (--group.members <= 0) this.groups.delete(group.key);
  }

  /** Hands a live event to every subscriber whose filter it matches; returns how many. */
  dispatch(field: StreamField, event: StreamEvent): number {
    let delivered = 0;
    for (const bucketKey of new Set(field.eventBuckets(event.payload))) {
      const bucket = this.buckets.get(`${field.name}:${bucketKey}`);
      if (!bucket) continue;
      for (const subscriber of bucket) {
        if (!field.matches(subscriber.filter, event.payload) || !visibleToSubscriber(field, subscriber.principal, event.payload)) continue;
        subscriber.offer(event);
        delivered++;
      }
    }
    return delivered;
  }
}
