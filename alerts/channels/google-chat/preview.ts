import type { ChatMessage, ChatWidget } from './message';

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&amp;': '&' };

/** Card HTML as plain text: tags dropped, `<br>` as a line break, entities decoded. */
export function plain(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(lt|gt|quot|amp);/g, (e) => ENTITIES[e] ?? e);
}

/** The exact message `send` would post, as readable text (for `--dry-run`). */
export function previewMessage(message: ChatMessage): string {
  const lines = [message.text];
  if (message.thread) lines.push(`  (thread ${message.thread.threadKey})`);
  for (const { card } of message.cardsV2) {
    lines.push(`┌ ${card.header.title}`);
    if (card.header.subtitle) lines.push(`│ ${card.header.subtitle}`);
    for (const section of card.sections) {
      lines.push('├─');
      if (section.header) lines.push(`│ ${plain(section.header)}`);
      for (const widget of section.widgets) lines.push(...widgetLines(widget).map((l) => `│   ${l}`));
    }
    lines.push('└─');
  }
  return lines.join('\n');
}

function widgetLines(widget: ChatWidget): string[] {
  if ('textParagraph' in widget) return plain(widget.textParagraph.text).split('\n');
  if ('decoratedText' in widget) {
    const { topLabel, text, bottomLabel } = widget.decoratedText;
    const label = topLabel ? `${plain(topLabel)}: ` : '';
    return [`${label}${plain(text)}`, ...(bottomLabel ? [`  ${plain(bottomLabel)}`] : [])];
  }
  if ('buttonList' in widget)
    return widget.buttonList.buttons.map((b) => `[${b.text}] ${b.onClick.openLink.url}`);
  return ['────'];
}
