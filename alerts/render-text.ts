import { formatDuration } from '../src/core/duration';
import type { Notification, NotificationItem } from './types';
import { totalsLine } from './totals';

const STATUS_MARK: Record<NotificationItem['status'], string> = {
  new: '🔴 NEW',
  repeat: '🟠 STILL FIRING',
  resolved: '✅ RESOLVED',
};

/** Counts per status, e.g. "2 new, 1 still firing, 3 resolved". */
export function statusCounts(items: NotificationItem[]): string {
  const count = (s: NotificationItem['status']) => items.filter((i) => i.status === s).length;
  const parts: string[] = [];
  if (count('new')) parts.push(`${count('new')} new`);
  if (count('repeat')) parts.push(`${count('repeat')} still firing`);
  if (count('resolved')) parts.push(`${count('resolved')} resolved`);
  return parts.join(', ');
}

/** Human text for one notification; used by the console channel and by `--dry-run`. */
export function renderText(n: Notification, maxItems = 50): string {
  const total = totalsLine(n.items);
  const lines = [`[${n.checkId}] ${n.checkKind}: ${statusCounts(n.items)}${total ? ` · ${total}` : ''}`];
  for (const item of n.items.slice(0, maxItems)) {
    const since = Date.parse(n.createdAt) - Date.parse(item.firingSince);
    const age =
      item.status === 'repeat' && since > 0
        ? ` (firing for ${formatDuration(since)})`
        : item.status === 'resolved' && item.resolvedAt
          ? ` (was firing for ${formatDuration(Date.parse(item.resolvedAt) - Date.parse(item.firingSince))})`
          : '';
    lines.push(`  ${STATUS_MARK[item.status]} ${item.severity.toUpperCase()} ${item.title}${age}`);
    if (item.summary && item.status !== 'resolved') lines.push(`      ${item.summary}`);
    for (const link of item.links ?? []) lines.push(`      ${link.label}: ${link.url}`);
  }
  if (n.items.length > maxItems) lines.push(`  +${n.items.length - maxItems} more`);
  return lines.join('\n');
}
