import type { AppContext } from '../app-context.js';
import type { DomainKind, PanelError } from '../panel/adapter.js';
import { ArgumentError, normaliseDomain } from '../panel/domains.js';
import { randomSecret } from '../platform/crypto/tokens.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import { requestLifecycle } from '../provisioning/actions.js';
import { jobPanel } from '../provisioning/context.js';
import type { PanelOp } from '../provisioning/index.js';

/**
 * What a client does inside a hosting account they bought. Reads go to the panel directly; every
 * change is a queued operation (202), so changes on one server stay serialised with provisioning.
 */
type Deps = AppContext;

export interface OwnedService {
  id: string;
  clientId: string;
  status: string;
  serverId: string;
  username: string;
}

/** The caller's service with a hosting account; another client's id is a 404, an unprovisioned one a 409. */
export async function ownedAccount(
  app: Deps,
  clientId: string,
  serviceId: string,
  allowed: string[] = ['active', 'suspended'],
): Promise<OwnedService> {
  const row = await app.db.kysely
    .selectFrom('services')
    .select(['id', 'client_id', 'status', 'server_id', 'panel_username'])
    .where('id', '=', serviceId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
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

export async function readPanel<T>(
  app: Deps,
  service: OwnedService,
  read: (
    panel: Awaited<ReturnType<typeof jobPanel>>['panel'],
    c: { correlationId: string },
  ) => Promise<{ ok: true; value: T } | { ok: false; error: PanelError }>,
): Promise<T> {
  const { client, panel } = await jobPanel(app, service.serverId, null);
  try {
    const result = await read(panel, { correlationId: newId('request') });
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
  app: Deps,
  service: OwnedService,
  op: PanelOp,
  ctx: { requestId: string; ip: string },
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
export async function requireDomain(app: Deps, service: OwnedService, kind: DomainKind, domain: string): Promise<void> {
  const list = await readPanel(app, service, (panel, c) => panel.listDomains(c, kind, service.username));
  if (!list.some((d) => d.domain === domain)) {
    const label = DOMAIN_KINDS.find((k) => k.kind === kind)?.path ?? kind;
    throw new AppError(
      'not_found',
      `This service has no ${domain} in ${label}. See GET /services/${service.id}/${label} (a domain just added appears once its operation has succeeded).`,
    );
  }
}

export async function requireDatabase(app: Deps, service: OwnedService, name: string): Promise<void> {
  const list = await readPanel(app, service, (panel, c) => panel.listDatabases(c, service.username));
  if (!list.some((d) => d.name === name)) {
    throw new AppError(
      'not_found',
      `This service has no database ${name}. Use the full name as GET /services/${service.id}/databases lists it.`,
    );
  }
}

export function newDatabasePassword(app: Deps): { password: string; sealed: string } {
  const password = `D${randomSecret(18)}`;
  return { password, sealed: app.secrets().seal(password) };
}

export const DOMAIN_KINDS: { kind: DomainKind; path: string; label: string }[] = [
  { kind: 'web', path: 'web-domains', label: 'websites' },
  { kind: 'dns', path: 'dns-domains', label: 'DNS zones' },
  { kind: 'mail', path: 'mail-domains', label: 'mail domains' },
];
