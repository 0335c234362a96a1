import { STATUS_STYLE, statusCounts } from '../../status';
import type { ItemTally, Notification, NotificationItem } from '../../types';
import { clean, isOpenableUrl } from './format';
import {
  MAX_FALLBACK_LINES,
  MAX_MESSAGE_BYTES,
  MAX_THREAD_KEY_CHARS,
  MAX_URL_CHARS,
  MAX_WIDGETS_PER_CARD,
} from './limits';
import type { ChatMessage, ChatSection } from './message';
import { itemSection, openLinkButton } from './render-item';
import { countsLine, totalsLine } from '../../totals';
import { firingOf, messageStatus, restOf, tallyOf } from '../../tally';

export interface RenderOptions {
  /** Thread key, already expanded; undefined posts without a thread. */
  threadKey?: string;
  grafanaUrl?: string;
}

const FALLBACK_TITLE_CHARS = 100;

/**
 * The Chat message for one notification: a card with a header and one section per finding, as many as fit
 * Chat's limits, then "+N more"; a short `text` line above the card and a plain `fallbackText`.
 */
export function renderMessage(n: Notification, options: RenderOptions = {}): ChatMessage {
  const tally = tallyOf(n);
  const status = STATUS_STYLE[messageStatus(tally)];
  const severity = tally.worst;
  const counts = countsLine(tally) || 'nothing to report';
  const total = totalsLine(tally);
  // The firing ones it does not carry too: "3 firing (1 new)" is 3 findings, not 1.
  const findings = firingOf(tally) + tally.byStatus.resolved + (tally.byStatus.retired ?? 0);
  const headline = `${status.icon} ${n.checkId}: ${counts}`;
  const tail: ChatSection[] = options.grafanaUrl ? [grafanaSection(options.grafanaUrl, n.checkId)] : [];
  const base: ChatMessage = {
    text: `${status.icon} *${clean(n.checkId, 200)}* (${clean(n.checkKind, 100)}): ${counts}${total ? ` · ${total}` : ''}`,
    fallbackText: fallback(headline, n.items, tally.count),
    cardsV2: [
      {
        cardId: 'guardrail',
        card: {
          header: {
            title: clean(headline, 200),
            subtitle: [n.checkKind, severity?.toUpperCase(), `${findings} finding(s)`, total]
              .filter(Boolean)
              .join(' · '),
          },
          sections: [],
        },
      },
    ],
    ...(options.threadKey
      ? { thread: { threadKey: [...options.threadKey].slice(0, MAX_THREAD_KEY_CHARS).join('') } }
      : {}),
  };

  const sections = fitSections(base, n, tally, tail);
  base.cardsV2[0]!.card.sections = sections;
  return base;
}

/** Greedy: item sections in order while the card stays under the widget and byte limits, then "+N more". */
function fitSections(
  base: ChatMessage,
  n: Notification,
  tally: ItemTally,
  tail: ChatSection[],
): ChatSection[] {
  const reserveWidgets = countWidgets(tail) + 1; // + the "+N more" paragraph
  let bytes = size({
    ...base,
    cardsV2: [{ ...base.cardsV2[0]!, card: { ...base.cardsV2[0]!.card, sections: tail } }],
  });
  bytes += size(moreSection(tally)) + 1;
  let widgets = reserveWidgets;
  const chosen: ChatSection[] = [];
  for (const item of n.items) {
    const section = itemSection(item, n);
    const w = section.widgets.length;
    const b = size(section) + 1;
    if (widgets + w > MAX_WIDGETS_PER_CARD || bytes + b > MAX_MESSAGE_BYTES) break;
    chosen.push(section);
    widgets += w;
    bytes += b;
  }
  const rest = restOf(tally, n.items.slice(0, chosen.length));
  return [...chosen, ...(rest.count ? [moreSection(rest)] : []), ...tail];
}

function moreSection(rest: ItemTally): ChatSection {
  const counts = statusCounts(rest);
  return {
    widgets: [{ textParagraph: { text: `<b>+${rest.count} more</b>${counts ? ` (${counts})` : ''}` } }],
  };
}

function grafanaSection(grafanaUrl: string, checkId: string): ChatSection {
  const url = new URL(grafanaUrl);
  url.searchParams.set('var-check', checkId);
  const href = url.toString();
  if (!isOpenableUrl(href, MAX_URL_CHARS)) return { widgets: [{ divider: {} }] };
  return { widgets: [{ buttonList: { buttons: [openLinkButton('Grafana dashboard', href)] } }] };
}

function fallback(headline: string, items: NotificationItem[], count: number): string {
  const lines = [headline];
  for (const item of items.slice(0, MAX_FALLBACK_LINES)) {
    lines.push(
      `${STATUS_STYLE[item.status].word} ${item.severity}: ${clean(item.title, FALLBACK_TITLE_CHARS)}`,
    );
  }
  const shown = Math.min(items.length, MAX_FALLBACK_LINES);
  if (count > shown) lines.push(`+${count - shown} more`);
  return lines.join('\n');
}

function countWidgets(sections: ChatSection[]): number {
  return sections.reduce((sum, s) => sum + s.widgets.length, 0);
}

export function size(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
