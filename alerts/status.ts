import { formatDuration } from '../src/core/duration';
import type { ItemStatus, ItemTally, NotificationItem } from './types';

/** The icon, word and colour of each item status: one vocabulary for Chat cards, the console and dry runs. */
export const STATUS_STYLE: Record<ItemStatus, { icon: string; word: string; color: string }> = {
  new: { icon: '🔴', word: 'FIRING', color: '#d93025' },
  repeat: { icon: '🟠', word: 'STILL FIRING', color: '#e37400' },
  resolved: { icon: '✅', word: 'RESOLVED', color: '#188038' },
  retired: { icon: '⚪', word: 'NO LONGER CHECKED', color: '#5f6368' },
};

/** Counts per status, e.g. "2 new, 1 still firing, 3 resolved". */
export function statusCounts(tally: Pick<ItemTally, 'byStatus'>): string {
  const count = (s: ItemStatus) => tally.byStatus[s] ?? 0;
  const parts: string[] = [];
  if (count('new')) parts.push(`${count('new')} new`);
  if (count('repeat')) parts.push(`${count('repeat')} still firing`);
  if (count('resolved')) parts.push(`${count('resolved')} resolved`);
  if (count('retired')) parts.push(`${count('retired')} no longer checked`);
  return parts.join(', ');
}

/**
 * How long an item has been firing, as of the message's `createdAt`: "firing for 3h 5m" (repeat), "resolved
 * after firing for 2h" (resolved), or undefined for new items.
 */
export function ageText(item: NotificationItem, createdAt: string): string | undefined {
  const since = Date.parse(item.firingSince);
  if (item.status === 'repeat') {
    const ms = Date.parse(createdAt) - since;
    return ms > 0 ? `firing for ${formatDuration(ms)}` : undefined;
  }
  if ((item.status === 'resolved' || item.status === 'retired') && item.resolvedAt) {
    const word = item.status === 'resolved' ? 'resolved' : 'taken out of the config';
    const ms = Date.parse(item.resolvedAt) - since;
    return ms > 0 ? `${word} after firing for ${formatDuration(ms)}` : word;
  }
  return undefined;
}
