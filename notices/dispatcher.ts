// The notice dispatcher (issue 14 item 2, docs/notices.md): a loop that takes due rows of
// `notifications`, sends each to its recipients through their channel, sets sent_at, retries with
// backoff and gives up after NOTIFY_MAX_ATTEMPTS with the reason kept for support.
//
// Crash safety: per notice and recipient a delivery row is committed as 'sending' before the
// hand-over and marked 'sent' after it. A recipient already 'sent' is never sent again; a dispatcher
// killed between the two leaves 'sending', and the next one sends once more (at most one duplicate,
// and only when the gateway had accepted the message in that window; see docs/notices.md).
import { isDeliveryError, waitFor } from '../adapters/otp/errors.js';
import type { Logger } from '../infra/logger.js';
import type { Pool } from '../infra/postgres.js';
import type { ChannelName, NoticeChannel } from './channels.js';
import { loadContext } from './context.js';
import type { RecipientResolver } from './recipients.js';
import { beginDelivery, claimDue, endDelivery, giveUp, markSent, retryLater, type Notice } from './store.js';
import { noticeText, type Lang } from './texts.js';

export interface DispatcherOptions {
  db: Pool;
  logger: Logger;
  channels: ReadonlyMap<ChannelName, NoticeChannel>;
  resolver: RecipientResolver;
  lang: Lang;
  baseUrl: string;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  leaseMs: number;
  pollMs: number;
}

export type NoticeOutcome = 'sent' | 'retry' | 'gave-up';

export class NoticeDispatcher {
  private stopping = false;
  private round: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: DispatcherOptions) {}

  /** Backoff after the n-th attempt: base·2^(n-1), at most retryMax, plus up to 10% jitter. */
  backoff(attempt: number): number {
    const ms = Math.min(this.o.retryMaxMs, this.o.retryBaseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(ms * (1 + Math.random() * 0.1));
  }

  /**
   * One pass: takes due notices one at a time until none is left; returns how many were handled.
   * One at a time, so a lease covers a single send (a batch taken at once could outlive its lease
   * behind a slow gateway and be taken twice) and a crash uses up an attempt of one notice only.
   */
  async drain(): Promise<number> {
    let handled = 0;
    while (!this.stopping) {
      const [n] = await claimDue(this.o.db, 1, this.o.leaseMs);
      if (!n) break;
      await this.dispatch(n).catch((err: unknown) => this.o.logger.error({ err, notice: n.id }, 'notice dispatch failed'));
      handled++;
    }
    return handled;
  }

  start(): { stop(): Promise<void> } {
    const tick = () => {
      this.round = this.drain()
        .catch((err: unknown) => this.o.logger.error({ err }, 'notice round failed'))
        .finally(() => {
          if (!this.stopping) this.timer = setTimeout(tick, this.o.pollMs);
        });
    };
    tick();
    this.o.logger.info({ channels: [...this.o.channels.keys()], pollMs: this.o.pollMs }, 'notice dispatcher running');
    return {
      stop: async () => {
        this.stopping = true;
        clearTimeout(this.timer);
        await this.round;
      },
    };
  }

  async dispatch(n: Notice): Promise<NoticeOutcome> {
    const log = this.o.logger.child({ notice: n.id, kind: n.kind });
    if (n.attempts > this.o.maxAttempts) {
      await giveUp(this.o.db, n.id, `interrupted: taken ${n.attempts - 1} times without finishing`);
      return 'gave-up';
    }
    const context = await loadContext(this.o.db, n.payload, this.o.baseUrl);
    const text = noticeText(n.kind, this.o.lang, context);
    if (!text) {
      await giveUp(this.o.db, n.id, `no text for notice kind ${n.kind}`);
      log.error('notice kind has no text: given up');
      return 'gave-up';
    }
    const { reach, unreachable } = await this.o.resolver.resolve(n);
    const permanent = unreachable.map((u) => `${u.key}: ${u.why}`);
    const transient: string[] = [];
    let sent = 0;
    let waitMs = 0;
    for (const r of reach) {
      const channel = this.o.channels.get(r.channel)!;
      const ids = { noticeId: n.id, recipientKey: r.key };
      const prior = await beginDelivery(this.o.db, { ...ids, channel: r.channel, addressMasked: r.masked });
      if (prior?.status === 'sent') {
        sent++;
        continue;
      }
      if (prior?.status === 'sending') log.warn({ to: r.masked, channel: r.channel }, 'sending again after an interrupted attempt');
      try {
        const { gatewayId } = await channel.send(r.address, text, ids);
        await endDelivery(this.o.db, { ...ids, status: 'sent', gatewayId });
        sent++;
        log.info({ to: r.masked, channel: r.channel }, 'notice sent');
      } catch (e) {
        const why = isDeliveryError(e) ? `${e.reason}${e.opts.gatewayCode ? ` (${e.opts.gatewayCode})` : ''}` : 'error';
        await endDelivery(this.o.db, { ...ids, status: 'failed', error: why });
        log.warn({ to: r.masked, channel: r.channel, why }, 'notice not sent');
        if (isDeliveryError(e) && !e.transient) permanent.push(`${r.key}: ${why}`);
        else {
          transient.push(`${r.key}: ${why}`);
          if (isDeliveryError(e)) waitMs = Math.max(waitMs, Math.min(waitFor(e), this.o.retryMaxMs));
        }
      }
    }
    if (transient.length > 0) {
      const error = [...transient, ...permanent].join('; ');
      if (n.attempts >= this.o.maxAttempts) {
        await giveUp(this.o.db, n.id, `gave up after ${n.attempts} attempts: ${error}`);
        log.error({ attempts: n.attempts, error }, 'notice given up');
        return 'gave-up';
      }
      await retryLater(this.o.db, n.id, Math.max(this.backoff(n.attempts), waitMs), error);
      return 'retry';
    }
    if (sent > 0) {
      await markSent(this.o.db, n.id, permanent.length ? `not reached: ${permanent.join('; ')}` : null);
      return 'sent';
    }
    await giveUp(this.o.db, n.id, permanent.join('; ') || 'no-recipient');
    log.error({ error: permanent }, 'notice given up: nobody to send it to');
    return 'gave-up';
  }
}
