import { CHECK_ERROR_KEY } from '../../../src/core/types';
import type { Notification, NotificationItem } from '../../types';
import { ageText, STATUS_STYLE } from '../../status';
import { wasSilencedText } from '../../render-text';
import { clean, colored, escapeHtml, formatMetric, isOpenableUrl, metricLabel } from './format';
import {
  MAX_BUTTON_LABEL_CHARS,
  MAX_BUTTONS_PER_ITEM,
  MAX_FACT_CHARS,
  MAX_FACTS_PER_ITEM,
  MAX_KEY_CHARS,
  MAX_SUMMARY_CHARS,
  MAX_TITLE_CHARS,
  MAX_URL_CHARS,
} from './limits';
import type { ChatButton, ChatSection, ChatWidget } from './message';

/** One section per finding: status and severity, title, summary, key facts, link buttons. */
export function itemSection(item: NotificationItem, n: Notification): ChatSection {
  const style = STATUS_STYLE[item.status];
  // The check itself could not read its source: say so rather than FIRING, which reads as a problem it watches.
  const word = item.key === CHECK_ERROR_KEY && item.status !== 'resolved' ? 'CHECK ERROR' : style.word;
  const header = colored(style.color, `<b>${style.icon} ${word} · ${item.severity.toUpperCase()}</b>`);
  const age = ageText(item, n.createdAt);
  const widgets: ChatWidget[] = [
    {
      decoratedText: {
        topLabel: escapeHtml(clean(item.key, MAX_KEY_CHARS)),
        text: `<b>${escapeHtml(clean(item.title, MAX_TITLE_CHARS))}</b>`,
        ...(age ? { bottomLabel: age } : {}),
        wrapText: true,
      },
    },
  ];
  // A resolved notice lists what resolved; the details of a problem that is gone are noise.
  if (item.status !== 'resolved') {
    if (item.summary)
      widgets.push({ textParagraph: { text: escapeHtml(clean(item.summary, MAX_SUMMARY_CHARS)) } });
    if (item.silence) {
      const note = escapeHtml(clean(wasSilencedText(item.silence), MAX_SUMMARY_CHARS));
      widgets.push({ textParagraph: { text: `<i>${note}</i>` } });
    }
    for (const [name, value] of facts(item)) {
      widgets.push({
        decoratedText: {
          topLabel: escapeHtml(clean(name, MAX_FACT_CHARS)),
          text: escapeHtml(clean(value, MAX_FACT_CHARS)),
        },
      });
    }
  }
  const buttons = linkButtons(item);
  if (buttons.length) widgets.push({ buttonList: { buttons } });
  return { header, widgets };
}

/** Metrics first (the numbers behind the title), then labels, at most MAX_FACTS_PER_ITEM. */
function facts(item: NotificationItem): [string, string][] {
  const metrics = Object.entries(item.metrics ?? {}).map(([k, v]): [string, string] => [
    metricLabel(k, v),
    formatMetric(k, v),
  ]);
  const labels = Object.entries(item.labels ?? {}).map(([k, v]): [string, string] => [k, String(v)]);
  return [...metrics, ...labels].slice(0, MAX_FACTS_PER_ITEM);
}

function linkButtons(item: NotificationItem): ChatButton[] {
  return (item.links ?? [])
    .filter((l) => isOpenableUrl(l.url, MAX_URL_CHARS))
    .slice(0, MAX_BUTTONS_PER_ITEM)
    .map((l) => openLinkButton(clean(l.label, MAX_BUTTON_LABEL_CHARS) || 'Open', l.url));
}

export function openLinkButton(text: string, url: string): ChatButton {
  return { text, onClick: { openLink: { url } } };
}
