import { ageText, STATUS_STYLE } from './status';
import { tallyOf } from './tally';
import { countsLine, totalsLine } from './totals';
import { CHECK_ERROR_KEY } from '../src/core/types';
import type { SilenceNote } from '../src/state/types';
import type { Notification } from './types';

/** Human text for one notification; used by the console channel and by `--dry-run`. */
export function renderText(n: Notification, maxItems = 50): string {
  const tally = tallyOf(n);
  const total = totalsLine(tally);
  const lines = [`[${n.checkId}] ${n.checkKind}: ${countsLine(tally)}${total ? ` · ${total}` : ''}`];
  const shown = n.items.slice(0, maxItems);
  for (const item of shown) {
    const { icon, word: status } = STATUS_STYLE[item.status];
    const word = item.key === CHECK_ERROR_KEY && item.status !== 'resolved' ? 'CHECK ERROR' : status;
    const age = ageText(item, n.createdAt);
    lines.push(`  ${icon} ${word} ${item.severity.toUpperCase()} ${item.title}${age ? ` (${age})` : ''}`);
    if (item.summary && item.status !== 'resolved') lines.push(`      ${item.summary}`);
    if (item.silence) lines.push(`      ${wasSilencedText(item.silence)}`);
    for (const link of item.links ?? []) lines.push(`      ${link.label}: ${link.url}`);
  }
  if (tally.count > shown.length) lines.push(`  +${tally.count - shown.length} more`);
  return lines.join('\n');
}

/** The note on an alert announced again after its silence ended: "was silenced by X until T: reason". */
export function wasSilencedText(silence: SilenceNote): string {
  return `was silenced by ${silence.by} until ${utcMinute(silence.until)}: ${silence.reason}`;
}

/** `2026-11-21 14:05 UTC`: the minute is precise enough for a person, and the zone is explicit. */
export function utcMinute(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
