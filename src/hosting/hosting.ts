import type { AppContext } from '../app-context.js';
import { recordEvent } from '../events/events.js';
import type { DomainKind, PanelError } from '../panel/adapter.js';
import { ArgumentError, normaliseDomain } from '../panel/domains.js';
import { randomSecret } from '../platform/crypto/tokens.js';
import { iso } from '../platform/http/checks.js';
import { AppError } from '../platform/http/errors.js';
import { requestLifecycle } from '../provisioning/actions.js';
import { jobPanel } from '../provisioning/context.js';
import type { PanelOp } from '../provisioning/index.js';
import {
  findServiceAccount,
  setCancellation,
  takePanelPasswordReveal,
  withdrawEndOfPeriodCancellation,
} from '../services/store.js';

/**
 * What a client does inside a hosting account they bought. Reads go to the panel directly; every
 * change is a queued operation (202), so changes on one server stay serialised with provisioning.
 * The services table is read and written through the services module's store.
 */
/** Reading the panel needs what opening a panel client needs (the provisioning module's jobPanel). */
type PanelDeps = AppContext;
type QueueDeps = Pick<AppContext, 'db' | 'clock'>;
/** The request a panel read serves: its id is the read's correlation id, so the call joins the request log. */
export interface RequestRef {
  requestId: string;
}
/** The client's request behind a change: the job carries its id and the caller's address. */
export interface ClientRequest extends RequestRef {
  ip: string;
}

export interface OwnedService {
  id: string;
  clientId: string;
  status: string;
  serverId: string;
  username: string;
}

/** The caller's service with a hosting account; another client's id is a 404, an unprovisioned one a 409. */
export async function ownedAccount(
  app: Pick<AppContext, 'db'>,
  clientId: string,
  serviceId: string,
  allowed: string[] = ['active', 'suspended'],
): Promise<OwnedService> {
  const row = await findServiceAccount(app.db.kysely, serviceId, clientId);
  if (!row) throw new AppError('not_found', 'The service was not found.');
  if (!allowed.includes(row.status) || !row.server_id || !row.panel_username) {
    throw new AppError(
      'conflict',
      `The service is ${row.status}${row.panel_username ? '' : ' and has no hosting account yet'}; this needs it to be ${allowed.join(' or ')}.`,
    );
  }
  return {
    id: row.id,
    clientId: row.client_id,
    status: row.status,
    serverId: row.server_id,
    username: row.panel_username,
  };
}

/** Panel errors in words a client understands. */
export function panelProblem(error: PanelError): AppError {
  if (error.retryable) {
    return new AppError('unavailable', 'The hosting server is not answering right now; try again in a minute.', {
      headers: { 'retry-after': '60' },
    });
  }
  if (error.code === 'INVALID_ARGUMENT') return new AppError('validation_failed', error.message);
  return new AppError('unavailable', 'The hosting server refused the request; the provider has been notified.', {
    headers: { 'retry-after': '300' },
  });
}

/** One read on the service's panel, under the request's id (the panel call is logged and recorded with it). */
export async function readPanel<T>(
  app: PanelDeps,
  service: OwnedService,
  request: RequestRef,
  read: (
    panel: Awaited<ReturnType<typeof jobPanel>>['panel'],
    c: { correlationId: string },
  ) => Promise<{ ok: true; value: T } | { ok: false; error: PanelError }>,
): Promise<T> {
  const { client, panel } = await jobPanel(app, service.serverId, null);
  try {
    const result = await read(panel, { correlationId: request.requestId });
    if (!result.ok) throw panelProblem(result.error);
    return result.value;
  } finally {
    await client.close();
  }
}

export function checkDomain(domain: string): string {
  try {
    return normaliseDomain(domain);
  } catch (error) {
    const message = error instanceof ArgumentError ? error.message : 'is not a domain name';
    throw new AppError('validation_failed', `The domain ${message}.`, { errors: [{ field: 'body.domain', message }] });
  }
}

export async function queuePanelOp(
  app: QueueDeps,
  service: OwnedService,
  op: PanelOp,
  ctx: ClientRequest,
): Promise<{ operation_id: string }> {
  const jobId = await requestLifecycle(app, {
    serviceId: service.id,
    action: 'panel_action',
    op,
    actor: { type: 'client', id: service.clientId, ip: ctx.ip },
    correlationId: ctx.requestId,
  });
  return { operation_id: jobId };
}

/**
 * A domain or database the account does not have is a 404 before anything is queued; otherwise a
 * delete would answer 202 and its operation would "succeed" at removing nothing.
 */
export async function requireDomain(
  app: PanelDeps,
  service: OwnedService,
  request: RequestRef,
  kind: DomainKind,
  domain: string,
): Promise<void> {
  const list = await readPanel(app, service, request, (panel, c) => panel.listDomains(c, kind, service.username));
  if (!list.some((d) => d.domain === domain)) {
    const label = DOMAIN_KINDS.find((k) => k.kind === kind)?.path ?? kind;
    throw new AppError(
      'not_found',
      `This service has no ${domain} in ${label}. See GET /services/${service.id}/${label} (a domain just added appears once its operation has succeeded).`,
    );
  }
}

export async function requireDatabase(
  app: PanelDeps,
  service: OwnedService,
  request: RequestRef,
  name: string,
): Promise<void> {
  const list = await readPanel(app, service, request, (panel, c) => panel.listDatabases(c, service.username));
  if (!list.some((d) => d.name === name)) {
    throw new AppError(
      'not_found',
      `This service has no database ${name}. Use the full name as GET /services/${service.id}/databases lists it.`,
    );
  }
}

export function newDatabasePassword(app: Pick<AppContext, 'secrets'>): { password: string; sealed: string } {
  const password = `D${randomSecret(18)}`;
  return { password, sealed: app.secrets().seal(password) };
}

export const DOMAIN_KINDS: { kind: DomainKind; path: string; label: string }[] = [
  { kind: 'web', path: 'web-domains', label: 'websites' },
  { kind: 'dns', path: 'dns-domains', label: 'DNS zones' },
  { kind: 'mail', path: 'mail-domains', label: 'mail domains' },
];

/** Queues a new generated panel password; it is read once through revealCredentials. */
export async function resetPanelPassword(
  app: QueueDeps,
  service: OwnedService,
  ctx: ClientRequest,
): Promise<{ operation_id: string }> {
  const jobId = await requestLifecycle(app, {
    serviceId: service.id,
    action: 'change_password',
    actor: { type: 'client', id: service.clientId, ip: ctx.ip },
    correlationId: ctx.requestId,
  });
  return { operation_id: jobId };
}

/** The panel login, shown once: a second reading is a 409 until a new password is set. */
export async function revealCredentials(
  app: Pick<AppContext, 'db' | 'clock' | 'secrets'>,
  service: OwnedService,
): Promise<{ username: string; password: string }> {
  const sealed = await takePanelPasswordReveal(app.db.kysely, service.id, app.clock.nowMs());
  if (!sealed) {
    throw new AppError(
      'conflict',
      'The password was already shown once. Set a new one with POST /services/{id}/password.',
    );
  }
  return { username: service.username, password: app.secrets().open(sealed) };
}

/** Records a cancellation; an immediate one also queues the account's removal. */
export async function requestCancellation(
  app: QueueDeps,
  service: OwnedService,
  input: { type: 'end_of_period' | 'immediate'; reason: string | null },
  ctx: ClientRequest,
): Promise<{ type: string; requested_at: string; operation_id: string | null }> {
  const now = app.clock.nowMs();
  await app.db.kysely.transaction().execute(async (trx) => {
    await setCancellation(trx, service.id, input, now);
    await recordEvent(trx, now, {
      type: 'service.cancellation_requested',
      clientId: service.clientId,
      serviceId: service.id,
      payload: { type: input.type, reason: input.reason },
    });
  });
  let operation: string | null = null;
  if (input.type === 'immediate') {
    operation = await requestLifecycle(app, {
      serviceId: service.id,
      action: 'terminate',
      actor: { type: 'client', id: service.clientId, ip: ctx.ip },
      correlationId: ctx.requestId,
    });
  }
  return { type: input.type, requested_at: iso(now), operation_id: operation };
}

export async function withdrawCancellation(app: QueueDeps, service: OwnedService): Promise<void> {
  if (!(await withdrawEndOfPeriodCancellation(app.db.kysely, service.id, app.clock.nowMs())))
    throw new AppError('conflict', 'There is no end-of-period cancellation to withdraw.');
}
