import { audit } from '../audit/audit.js';
import { type EventType, recordEvent } from '../events/events.js';
import { type JobContext, JobFailure } from '../jobs/types.js';
import { type DomainKind, isExists, type PanelAdapter } from '../panel/adapter.js';
import { findServiceAccount, recordServiceOutcome, type ServiceOutcome } from '../services/store.js';
import { jobPanel, loadService, must, type ServiceFacts } from './context.js';
import type { LifecyclePayload } from './lifecycle.js';

/**
 * What the lifecycle jobs share: opening the job's panel, the account a service must have, adding
 * a domain idempotently, and recording the outcome with its audit entry. Every step is safe to
 * repeat after a crash or a timeout (docs/hestia-protocol.md §5), and success is declared only
 * after reading the account back.
 */
export type LifecycleContext = JobContext<LifecyclePayload>;

/** The service's new state and its audit entry, written in one transaction. */
export async function finalize(ctx: LifecycleContext, outcome: ServiceOutcome, action: string): Promise<void> {
  const { deps, payload } = ctx;
  const now = deps.clock.nowMs();
  await deps.db.kysely.transaction().execute(async (trx) => {
    await recordServiceOutcome(trx, payload.serviceId, outcome, now);
    await audit(trx, now, {
      actorType: payload.actor.type,
      actorId: payload.actor.id,
      action,
      targetType: 'service',
      targetId: payload.serviceId,
      ip: payload.actor.ip ?? null,
      requestId: ctx.correlationId,
      details: { jobId: ctx.job.id },
    });
    const type = SERVICE_EVENTS[action];
    if (type) {
      // Keyed by the job: a job that finalizes again after a crash records one event.
      await recordEvent(trx, now, {
        type,
        key: ctx.job.id,
        clientId: (await findServiceAccount(trx, payload.serviceId))?.client_id ?? null,
        serviceId: payload.serviceId,
        payload: {
          jobId: ctx.job.id,
          status: outcome.status,
          ...(outcome.suspension_reason ? { reason: outcome.suspension_reason } : {}),
        },
      });
    }
  });
}

/** The lifecycle outcomes a client is told of, by their audit action. */
const SERVICE_EVENTS: Record<string, EventType> = {
  'service.activated': 'service.active',
  'service.suspended': 'service.suspended',
  'service.unsuspended': 'service.unsuspended',
  'service.terminated': 'service.terminated',
};

export async function withPanel<T>(
  ctx: LifecycleContext,
  serverId: string,
  run: (panel: PanelAdapter) => Promise<T>,
): Promise<T> {
  const { client, panel } = await jobPanel(ctx.deps, serverId, ctx.job.id);
  try {
    return await run(panel);
  } finally {
    await client.close();
  }
}

function requireAccount(service: ServiceFacts): { serverId: string; username: string } {
  if (!service.serverId || !service.username) {
    throw new JobFailure('permanent', 'NOT_PROVISIONED', `Service ${service.id} has no hosting account yet.`);
  }
  return { serverId: service.serverId, username: service.username };
}

export async function addDomainOnce(
  panel: PanelAdapter,
  ctx: LifecycleContext,
  kind: DomainKind,
  username: string,
  domain: string,
  ip?: string,
) {
  const c = { correlationId: ctx.correlationId };
  const added = await panel.addDomain(c, kind, username, domain, ip ? { ip } : {});
  if (added.ok) return;
  // A retry after a lost answer finds the domain already added. HestiaCP checks the package's
  // limits before whether the domain is new, so on a package allowing one domain that retry is
  // answered "limit reached" (8), not "exists" (4): both are looked up before they count as failures.
  if (isExists(added.error) || added.error.code === 'E_LIMIT') {
    const list = must(await panel.listDomains(c, kind, username), `v-list-${kind}-domains`);
    if (list.some((d) => d.domain === domain)) return;
    if (isExists(added.error)) {
      throw new JobFailure('permanent', 'DOMAIN_TAKEN', `${domain} already exists on the panel under another account.`);
    }
  }
  throw JobFailure.fromPanel(added.error, `adding ${kind} domain ${domain}`);
}

/** What a job on an existing account did: the service's new state and the audit action. */
export interface AccountOutcome {
  outcome: ServiceOutcome;
  audit: string;
}

/**
 * The run of a job on an account that exists: load the service, open its server's panel, act,
 * record the outcome.
 */
export function onAccount(
  act: (ctx: LifecycleContext, panel: PanelAdapter, service: ServiceFacts, username: string) => Promise<AccountOutcome>,
): (ctx: LifecycleContext) => Promise<void> {
  return async (ctx) => {
    const service = await loadService(ctx.deps.db.kysely, ctx.payload.serviceId);
    const { serverId, username } = requireAccount(service);
    const done = await withPanel(ctx, serverId, (panel) => act(ctx, panel, service, username));
    await finalize(ctx, done.outcome, done.audit);
  };
}
