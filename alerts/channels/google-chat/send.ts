import type { AxiosResponse } from 'axios';
import * as z from '../../../src/core/zod';
import { ChannelError } from '../../types';
import type { ChatMessage } from './message';

export interface PostOptions {
  signal: AbortSignal;
  timeoutMs: number;
  now?: () => number;
}

const REPLY_OPTION = 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD';
const MAX_DETAIL_CHARS = 200;

/**
 * What Chat answers a created message with: the Message, of which webhook posts get only `name` and `thread.name`.
 * Other fields pass (the API may add some); without a message name, the answer is not Chat's.
 * @see https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages#Message
 */
const CreatedMessage = z.looseObject({ name: z.string().regex(/^spaces\/[^/]+\/messages\/[^/]+$/) });

/**
 * Posts one message to an incoming webhook. `requestId` makes a retry return the message already created
 * instead of a second one, where Chat honours it. Every error is built here from the status alone: axios
 * errors carry the request URL, which holds the webhook's key and token.
 */
export async function postMessage(
  webhookUrl: string,
  message: ChatMessage,
  requestId: string,
  options: PostOptions,
): Promise<void> {
  const url = new URL(webhookUrl);
  url.searchParams.set('requestId', requestId);
  // Without this parameter Chat ignores thread.threadKey and starts a new thread for every message.
  if (message.thread) url.searchParams.set('messageReplyOption', REPLY_OPTION);
  // Loaded on first send: `guardrail validate` must not pay for the HTTP client.
  const { default: axios } = await import('axios');
  let response: AxiosResponse;
  try {
    response = await axios.post(url.toString(), message, {
      signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      validateStatus: () => true,
      maxRedirects: 0,
      responseType: 'json',
      transitional: { clarifyTimeoutError: true },
    });
  } catch (error) {
    throw networkError(axios.isAxiosError(error) ? error.code : undefined);
  }
  if (response.status < 200 || response.status >= 300)
    throw statusError(response, secretsOf(url), options.now ?? Date.now);
  if (!CreatedMessage.safeParse(response.data).success) throw notCreatedError(response);
}

/**
 * A 2xx without the created message: something else answered (a proxy's login page), so nothing says the message
 * exists. Like a 404, the channel's configuration is at fault: it is reported broken and its messages wait; a
 * later attempt repeats the requestId, so a message Chat did create is not posted twice.
 */
function notCreatedError(response: AxiosResponse): ChannelError {
  const message = `Google Chat answered HTTP ${response.status} with ${bodyKind(response)}, not the created message (a proxy or login page in the way?): not delivered`;
  return new ChannelError(message, false, undefined, undefined, 'channel');
}

/** What the body was, never what it said: a proxy's page may echo the request URL. */
function bodyKind(response: AxiosResponse): string {
  const data: unknown = response.data;
  if (data === undefined || data === null || data === '') return 'an empty body';
  if (typeof data !== 'string') return 'JSON without the message name';
  const type = String(response.headers['content-type'] ?? '');
  return /html/i.test(type) || /^\s*</.test(data) ? 'an HTML page' : 'a body that is not JSON';
}

export function statusError(response: AxiosResponse, secrets: string[], now: () => number): ChannelError {
  const status = response.status;
  const retryable = status === 408 || status === 429 || status >= 500;
  const detail = googleError(response.data, secrets);
  const hint = HINTS[status] ?? (retryable ? 'will retry' : 'not retried');
  const message = `Google Chat answered HTTP ${status}${detail ? ` ${detail}` : ''}: ${hint}`;
  const retryAfterMs = retryable ? parseRetryAfter(response.headers['retry-after'], now()) : undefined;
  // Google answers a wrong API key with 400 INVALID_ARGUMENT: that is the webhook's configuration, not the
  // message, so the channel is reported broken instead of each message being dropped in turn.
  const badCredential = status === 400 && CREDENTIAL_ERROR.test(JSON.stringify(response.data ?? ''));
  return new ChannelError(message, retryable, status, retryAfterMs, badCredential ? 'channel' : undefined);
}

const CREDENTIAL_ERROR = /API[ _]key|API_KEY_INVALID|invalid token/i;

const HINTS: Record<number, string> = {
  400: 'the message was rejected (a bug in Guardrail, or a changed Chat API)',
  401: 'the webhook key or token is wrong',
  403: 'the webhook is not allowed to post in this space',
  404: 'the webhook or its space no longer exists',
  429: 'rate limited; will retry',
};

function networkError(code: string | undefined): ChannelError {
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED' || code === 'ERR_CANCELED') {
    // An unknown outcome: Chat may have created the message; the retry's requestId covers that.
    return new ChannelError(
      'Google Chat request timed out or was aborted; outcome unknown, will retry',
      true,
    );
  }
  return new ChannelError(`Google Chat request failed (${safeCode(code)}); will retry`, true);
}

function safeCode(code: string | undefined): string {
  return code && /^[A-Z0-9_]{1,40}$/.test(code) ? code : 'network error';
}

/** Google's `{error: {status, message}}`, scrubbed of anything secret and shortened. */
function googleError(data: unknown, secrets: string[]): string | undefined {
  const error = (data as { error?: { status?: unknown; message?: unknown } } | undefined)?.error;
  if (!error || typeof error !== 'object') return undefined;
  const status = typeof error.status === 'string' && /^[A-Z_]{1,40}$/.test(error.status) ? error.status : '';
  let text = typeof error.message === 'string' ? error.message : '';
  for (const secret of secrets) if (secret) text = text.split(secret).join('***');
  text = text.replace(/\bhttps?:\/\/\S+/g, '<url>').slice(0, MAX_DETAIL_CHARS);
  return [status, text && `(${text})`].filter(Boolean).join(' ') || undefined;
}

/** Strings that must never leave this module: the URL, its key and token, in raw and encoded forms. */
export function secretsOf(url: URL): string[] {
  const values = [
    url.toString(),
    url.pathname + url.search,
    url.search,
    url.pathname,
    ...url.searchParams.values(),
  ];
  return [...new Set(values.flatMap((v) => [v, encodeURIComponent(v)]).filter((v) => v.length >= 4))];
}

/** `Retry-After` as delay-seconds or an HTTP date, in milliseconds from now. */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
