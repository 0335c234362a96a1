// The subset of the Chat API `Message` (chat-v1 discovery document) that this channel produces.

export interface ChatMessage {
  text: string;
  fallbackText?: string;
  cardsV2: ChatCardWithId[];
  thread?: { threadKey: string };
}

export interface ChatCardWithId {
  cardId: string;
  card: {
    header: { title: string; subtitle?: string };
    sections: ChatSection[];
  };
}

export interface ChatSection {
  header?: string;
  collapsible?: boolean;
  uncollapsibleWidgetsCount?: number;
  widgets: ChatWidget[];
}

export type ChatWidget =
  | { textParagraph: { text: string } }
  | { decoratedText: { topLabel?: string; text: string; bottomLabel?: string; wrapText?: boolean } }
  | { buttonList: { buttons: ChatButton[] } }
  | { divider: Record<string, never> };

export interface ChatButton {
  text: string;
  onClick: { openLink: { url: string } };
}
