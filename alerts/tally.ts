import { worse, type Severity } from '../src/core/severity';
import type { ItemStatus, ItemTally, Notification, NotificationItem } from './types';

/**
 * A message keeps at most this many items, the first in its order (new, still firing, resolved, no longer checked; most severe
 * first). No channel shows more: a Chat card holds 100 widgets, the console prints 50. The rest are counted in
 * the message's tally, so a sweep with 20,000 idle volumes queues a message of 100 items, not of 20,000.
 */
export const MAX_NOTIFICATION_ITEMS = 100;

/**
 * What acting on an item saves: a change of class or type names its saving (`monthlySavingUsd`), a resource to
 * remove its whole cost (`monthlyCostUsd`); a BigQuery job, what it cost (`costUsd`, once). An item counts once:
 * a gp2 volume's cost beside its gp3 saving made a message's total the price of production volumes.
 */
const COST_METRICS: readonly [keyof ItemTally['costs'], (m: Record<string, number>) => number | undefined][] =
  [
    ['monthlyCostUsd', (m) => m.monthlySavingUsd ?? m.monthlyCostUsd],
    ['costUsd', (m) => m.costUsd],
  ];

export function tallyItems(items: readonly NotificationItem[]): ItemTally {
  const byStatus: Record<ItemStatus, number> = { new: 0, repeat: 0, resolved: 0, retired: 0 };
  const costs: ItemTally['costs'] = {};
  let worstFiring: Severity | undefined;
  let worstAny: Severity | undefined;
  for (const item of items) {
    byStatus[item.status]++;
    worstAny = worstAny === undefined ? item.severity : worse(worstAny, item.severity);
    if (item.status === 'resolved' || item.status === 'retired') continue;
    worstFiring = worstFiring === undefined ? item.severity : worse(worstFiring, item.severity);
    for (const [metric, of] of COST_METRICS) {
      const value = item.metrics ? of(item.metrics) : undefined;
      if (typeof value !== 'number') continue;
      const cost = (costs[metric] ??= { sum: 0, priced: 0 });
      cost.sum += value;
      cost.priced++;
    }
  }
  const worst = worstFiring ?? worstAny;
  return { count: items.length, byStatus, ...(worst ? { worst } : {}), costs };
}

/** The whole message's tally: as queued, or (a message queued before tallies existed) from its items. */
export function tallyOf(n: Notification): ItemTally {
  return n.tally ?? tallyItems(n.items);
}

/** The alerts of a check firing on one channel when a message is made, carried by it or not. */
export interface Firing {
  count: number;
  /** The worst severity among them. */
  worst?: Severity;
}

/**
 * The message's items cut to MAX_NOTIFICATION_ITEMS, with the tally of them all and of the `firing` alerts: a
 * message that carries only a resolved warning while a critical alert still fires (its repeat not due) says
 * critical, not warning.
 */
export function capItems(items: NotificationItem[], firing?: Firing): Pick<Notification, 'items' | 'tally'> {
  const tally = tallyItems(items);
  if (!firing) return { items: items.slice(0, MAX_NOTIFICATION_ITEMS), tally };
  return {
    items: items.slice(0, MAX_NOTIFICATION_ITEMS),
    tally: { ...tally, firing: firing.count, ...(firing.worst ? { worst: firing.worst } : {}) },
  };
}

/** How many alerts fire: those of the message, and those it does not carry when it knows (`tally.firing`). */
export function firingOf(tally: ItemTally): number {
  return Math.max(tally.firing ?? 0, tally.byStatus.new + tally.byStatus.repeat);
}

/** The tally of the items a channel did not show: the whole message's less the `shown` ones. */
export function restOf(tally: ItemTally, shown: readonly NotificationItem[]): ItemTally {
  const seen = tallyItems(shown);
  return {
    count: tally.count - seen.count,
    byStatus: {
      new: tally.byStatus.new - seen.byStatus.new,
      repeat: tally.byStatus.repeat - seen.byStatus.repeat,
      resolved: tally.byStatus.resolved - seen.byStatus.resolved,
      // A message queued before `retired` existed has no count of it.
      retired: (tally.byStatus.retired ?? 0) - seen.byStatus.retired,
    },
    costs: {},
  };
}

/**
 * The status of the message as a whole: new when anything is new, else still firing while any alert of the check
 * fires on the channel (carried or not), else resolved. A message of 1 resolved among 4 still firing was headed
 * "✅ resolved" in green, and read on a phone as all clear.
 */
export function messageStatus(tally: ItemTally): ItemStatus {
  if (tally.byStatus.new) return 'new';
  if (firingOf(tally) > 0) return 'repeat';
  // Not all clear while an alert closed only because it is no longer checked.
  return tally.byStatus.retired ? 'retired' : 'resolved';
}
