// Google Chat platform limits, checked 2026-11.

/**
 * A message body may hold at most 32,000 bytes (text and cards together); a card at most 32 KB.
 * @see https://developers.google.com/workspace/chat/create-messages (and CardWithId.card: "Maximum size is 32 KB")
 */
export const MAX_MESSAGE_BYTES = 32_000;

/**
 * "You can add up to 100 widgets per card. Any widgets beyond this limit are ignored."
 * @see https://developers.google.com/workspace/chat/api/reference/rest/v1/cards
 */
export const MAX_WIDGETS_PER_CARD = 100;

/**
 * Thread keys are at most 4,000 characters.
 * @see https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages#Thread
 */
export const MAX_THREAD_KEY_CHARS = 4_000;

/**
 * 60 writes per minute per space, shared by every app and webhook in it: one message a second keeps us under.
 * @see https://developers.google.com/workspace/chat/limits
 */
export const MIN_INTERVAL_MS = 1_000;

// Our own caps, so that a single finding with huge fields can never take a whole message.
export const MAX_TITLE_CHARS = 300;
export const MAX_SUMMARY_CHARS = 1_000;
export const MAX_FACTS_PER_ITEM = 4;
export const MAX_BUTTONS_PER_ITEM = 3;
export const MAX_FALLBACK_LINES = 10;
export const MAX_KEY_CHARS = 200;
export const MAX_FACT_CHARS = 200;
export const MAX_BUTTON_LABEL_CHARS = 40;
export const MAX_URL_CHARS = 2_000;
