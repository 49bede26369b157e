import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import type { AppContext } from '../app-context.js';
import { findClientById } from '../clients/store.js';
import { companyData, queueMail } from '../mail/compose.js';
import { leaseOwner, PollLoop } from '../platform/poll-loop.js';
import {
  claimWebhookDelivery,
  disableEndpoint,
  failPendingDeliveries,
  findEndpoint,
  finishWebhookDelivery,
  type WebhookDeliveryRow,
} from './store.js';
import { checkTarget, guardedLookup, type Resolver, TargetRefused } from './targets.js';
import { TEST_EVENT_TYPE } from './webhooks.js';

/**
 * Posts webhook deliveries to clients' endpoints, signed as Standard Webhooks asks
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature`). The attempt is recorded before the
 * request is made and every attempt of a delivery carries the same webhook-id and body, so a
 * worker that dies mid-attempt makes, at worst, a repeat the receiver recognises by its id.
 *
 * A delivery that does not get a 2xx within the timeout is retried after 5 s, 5 min, 30 min, 2 h,
 * 5 h, 10 h and 10 h — about a day. When the last retry fails, the endpoint is disabled, its
 * waiting deliveries are given up, and the client is emailed; they enable it again through the
 * API. A test delivery is sent once. Every address the sender connects to is checked
 * (targets.ts), at connection time.
 */
export type WebhookSenderDeps = Pick<AppContext, 'db' | 'clock' | 'logger' | 'settings' | 'secrets'>;

export const RETRY_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

export interface WebhookSenderOptions {
  pollMs?: number;
  leaseMs?: number;
  timeoutMs?: number;
  /** The wait after each failed attempt; one attempt more than its length in all. */
  retryScheduleMs?: readonly number[];
  /** Host name lookups (the system's resolver unless a test passes its own). */
  resolve?: Resolver;
}

export class WebhookSender {
  readonly owner = leaseOwner();
  private readonly loop: PollLoop;
  private readonly agent: Agent;
  private readonly options: Required<Omit<WebhookSenderOptions, 'resolve'>> & { resolve?: Resolver };

  constructor(
    private readonly deps: WebhookSenderDeps,
    options: WebhookSenderOptions = {},
  ) {
    this.options = { pollMs: 250, leaseMs: 60_000, timeoutMs: 10_000, retryScheduleMs: RETRY_SCHEDULE_MS, ...options };
    const allowPrivate = () => deps.settings.snapshot['webhooks.allow_private_targets'];
    this.agent = new Agent({
      connect: {
        timeout: this.options.timeoutMs,
        lookup: guardedLookup({ allowPrivate, ...(this.options.resolve ? { resolve: this.options.resolve } : {}) }),
      },
      headersTimeout: this.options.timeoutMs,
      bodyTimeout: this.options.timeoutMs,
      connections: 4,
    });
    this.loop = new PollLoop(() => this.tick(), {
      pollMs: this.options.pollMs,
      onError: (err) => deps.logger.warn({ err }, 'sending webhooks failed; will try again'),
    });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.agent.close();
  }

  /** Sends what is due, one delivery at a time; returns how many it took. */
  async tick(): Promise<number> {
    let n = 0;
    for (; n < 50; n++) {
      const delivery = await claimWebhookDelivery(this.deps.db.kysely, {
        dialect: this.deps.db.dialect,
        owner: this.owner,
        nowMs: this.deps.clock.nowMs(),
        leaseMs: this.options.leaseMs,
      });
      if (!delivery) break;
      await this.attempt(delivery);
    }
    return n;
  }

  private async attempt(delivery: WebhookDeliveryRow): Promise<void> {
    const { db, clock, logger, settings } = this.deps;
    const t0 = performance.now();
    const endpoint = await findEndpoint(db.kysely, delivery.endpoint_id);
    let status: number | null = null;
    let error: string | null = null;
    if (!endpoint || endpoint.deleted_at_ms !== null || endpoint.state !== 'enabled') {
      await this.finish(
        delivery,
        t0,
        null,
        `Not sent: the webhook was ${endpoint?.deleted_at_ms ? 'deleted' : 'disabled'}.`,
        true,
      );
      return;
    }
    try {
      const allowPrivate = settings.snapshot['webhooks.allow_private_targets'];
      // An address literal is never looked up, so it is checked here; names again at connection.
      await checkTarget(endpoint.url, {
        allowPrivate,
        ...(this.options.resolve ? { resolve: this.options.resolve } : {}),
      });
      const secret = this.deps.secrets().open(endpoint.secret_sealed);
      const at = new Date(clock.nowMs());
      const signature = new Webhook(secret).sign(delivery.id, at, delivery.payload);
      const response = await request(endpoint.url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Portico-Webhooks/1',
          'webhook-id': delivery.id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: delivery.payload,
      });
      status = response.statusCode;
      await response.body.dump({ limit: 64 * 1024 }).catch(() => {});
      if (status < 200 || status > 299) error = `The endpoint answered HTTP ${status}; a 2xx status is needed.`;
    } catch (e) {
      error = describe(e, endpoint.url, this.options.timeoutMs);
    }
    if (error)
      logger.info(
        { deliveryId: delivery.id, endpointId: endpoint.id, status, attempts: delivery.attempts },
        'webhook not delivered',
      );
    await this.finish(delivery, t0, status, error, false);
  }

  private async finish(
    delivery: WebhookDeliveryRow,
    t0: number,
    status: number | null,
    error: string | null,
    final: boolean,
  ): Promise<void> {
    const { db, clock, logger } = this.deps;
    const now = clock.nowMs();
    const attempt = { duration_ms: Math.round(performance.now() - t0), status, error };
    const schedule = this.options.retryScheduleMs;
    const isTest = delivery.event_type === TEST_EVENT_TYPE;
    const givingUp = final || isTest || delivery.attempts > schedule.length;
    const changes = error
      ? {
          state: givingUp ? ('failed' as const) : ('pending' as const),
          run_after_ms: now + (schedule[delivery.attempts - 1] ?? 0),
          last_status: status,
          last_error: error.slice(0, 1000),
          finished_at_ms: givingUp ? now : null,
          updated_at_ms: now,
        }
      : { state: 'succeeded' as const, last_status: status, last_error: null, finished_at_ms: now, updated_at_ms: now };
    if (!(await finishWebhookDelivery(db.kysely, delivery, this.owner, changes, attempt))) {
      logger.warn(
        { deliveryId: delivery.id },
        'webhook attempt finished after its lease expired; another worker may send it again (same webhook-id)',
      );
      return;
    }
    // The scheduled retries are used up (a redelivery asked for later does not count): the endpoint is disabled.
    if (error && !final && !isTest && delivery.attempts === schedule.length + 1) await this.disable(delivery, error);
  }

  private async disable(delivery: WebhookDeliveryRow, lastError: string): Promise<void> {
    const { db, clock, settings } = this.deps;
    const now = clock.nowMs();
    const reason =
      `Disabled after a delivery failed for about a day (${delivery.attempts} attempts); the last: ${lastError}`.slice(
        0,
        1000,
      );
    await db.kysely.transaction().execute(async (trx) => {
      if (!(await disableEndpoint(trx, delivery.endpoint_id, reason, now))) return;
      await failPendingDeliveries(
        trx,
        delivery.endpoint_id,
        'Not sent: the webhook was disabled after failed deliveries.',
        now,
      );
      const endpoint = await findEndpoint(trx, delivery.endpoint_id);
      const client = await findClientById(trx, delivery.client_id);
      if (!endpoint || !client || client.is_demo === 1) return;
      await queueMail(trx, now, {
        key: `webhook-disabled:${endpoint.id}:${now}`,
        template: 'webhook_disabled',
        to: client.email,
        clientId: client.id,
        data: {
          company: companyData(settings.snapshot),
          client: { name: client.name, email: client.email, company: client.company ?? '' },
          webhook: { id: endpoint.id, url: endpoint.url, attempts: delivery.attempts, error: lastError },
        },
      });
    });
    this.deps.logger.warn({ endpointId: delivery.endpoint_id }, 'webhook endpoint disabled after failed deliveries');
  }
}

/** An attempt's failure in words for the client's delivery log. */
function describe(error: unknown, url: string, timeoutMs: number): string {
  if (error instanceof TargetRefused) return `Not sent: the URL ${error.message}.`;
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof TargetRefused) return `Not sent: ${cause.message}.`;
  const code = (error as { code?: string }).code ?? (cause as { code?: string } | undefined)?.code;
  const host = new URL(url).host;
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return `No answer from ${host} within ${timeoutMs / 1000} s.`;
  }
  if (code === 'ECONNREFUSED') return `${host} refused the connection.`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `The host name of ${host} does not resolve.`;
  const message = error instanceof Error ? error.message : String(error);
  return `The request to ${host} failed: ${code ? `${code}: ` : ''}${message}`;
}
