import { formatDuration } from '../core/duration';
import type { Logger } from '../core/log';
import { errorMessage } from '../core/redact';
import type { Metrics } from '../engine/metrics';
import type { StateStore } from '../state/types';
import { troubledChannels } from '../../alerts/delivery-failing';

/** A ping that takes longer than this counts as no answer (a frozen server or network never fails the query). */
export const STORE_PING_TIMEOUT_MS = 5_000;

/**
 * Whether `serve`'s state store answers, asked every `everyMs` between runs as well as during them: an outage
 * after start-up shows on /readyz, as guardrail_state_store_up and as one log line when it starts and one when it
 * ends, instead of bare driver errors in each run's log. Each answer also refreshes guardrail_outbox_pending.
 */
export class StoreProbe {
  private timer?: NodeJS.Timeout;
  private downSince?: number;
  private probing?: Promise<void>;
  private counting?: Promise<void>;

  constructor(
    private readonly store: StateStore,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly everyMs: number,
    private readonly timeoutMs = STORE_PING_TIMEOUT_MS,
    /** The alert channels whose guardrail_channel_failing each answer refreshes. */
    private readonly channels: readonly string[] = [],
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.probe(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** When the store stopped answering (ms since the epoch), or undefined while it answers. */
  get unreachableSince(): number | undefined {
    return this.downSince;
  }

  /** One probe (never two at once); resolves when it has an answer or gave up waiting. */
  probe(): Promise<void> {
    this.probing ??= this.ask().finally(() => (this.probing = undefined));
    return this.probing;
  }

  private async ask(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${formatDuration(this.timeoutMs)}`)),
        this.timeoutMs,
      );
    });
    try {
      await Promise.race([this.store.ping(), late]);
      this.answered();
    } catch (error) {
      this.failed(error);
      return;
    } finally {
      clearTimeout(timer);
    }
    // The outbox is the store's, not this process's: a replica that has not run a check for a while would
    // otherwise go on showing the count of its last run (and GuardrailOutboxBackingUp fire on it). Counted apart
    // from the ping, on the busy main pool: a slow count must not hold the next probe.
    // So are the channels' troubles: a replica that has not delivered for a while would go on showing its last.
    this.counting ??= Promise.all([
      this.store.countPending().then((pending) => this.metrics.outboxPending.set(pending)),
      this.channels.length
        ? troubledChannels(this.store, this.channels).then((troubled) =>
            this.metrics.recordChannels(this.channels, troubled),
          )
        : undefined,
    ])
      .then(
        () => undefined,
        () => undefined, // the next probe asks again
      )
      .finally(() => (this.counting = undefined));
  }

  /** The outbox count in flight, if any (awaited by tests). */
  get pendingCount(): Promise<void> | undefined {
    return this.counting;
  }

  private answered(): void {
    this.metrics.stateStoreUp.set(1);
    if (this.downSince === undefined) return;
    this.log.info(
      { unreachableFor: formatDuration(Date.now() - this.downSince) },
      'state store answering again',
    );
    this.downSince = undefined;
  }

  private failed(error: unknown): void {
    this.metrics.stateStoreUp.set(0);
    if (this.downSince !== undefined) return;
    this.downSince = Date.now();
    this.log.error(
      { err: errorMessage(error) },
      'state store unreachable: checks cannot record results or deliver alerts until it answers',
    );
  }
}
