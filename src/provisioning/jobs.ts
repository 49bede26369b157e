import type { AppContext } from '../app-context.js';
import { audit } from '../audit/audit.js';
import { isAlreadyGone, isAlreadySuspended, isExists } from '../hestia/panel.js';
import { type JobContext, JobFailure, type JobType } from '../jobs/types.js';
import type { DomainKind, PanelAdapter } from '../panel/adapter.js';
import type { ServiceStatus } from '../platform/db/schema.js';
import { deleteCreatedUser, panelUserOf } from './compensations.js';
import { jobPanel, loadService, must, type ServiceFacts } from './context.js';
import { generatePanelPassword, generateUsername, placeService } from './placement.js';

/**
 * The lifecycle of a hosting account as job types. Every step is safe to repeat after a crash or
 * a timeout (docs/hestia-protocol.md §5), and success is declared only after reading the account back.
 */
export interface LifecyclePayload {
  serviceId: string;
  actor: { type: 'admin' | 'client' | 'system' | 'cli'; id: string | null; ip?: string | null };
  /** change_package: the product whose package the account moves to. */
  productId?: string;
  /** panel_action: what to change in the account. */
  op?: PanelOp;
}

const parse = (raw: unknown): LifecyclePayload => {
  const p = raw as LifecyclePayload;
  if (!p || typeof p.serviceId !== 'string')
    throw new JobFailure('permanent', 'BAD_PAYLOAD', 'The job payload has no serviceId.');
  return p;
};

async function finalize(
  ctx: JobContext<LifecyclePayload>,
  status: ServiceStatus,
  action: string,
  extra: Record<string, unknown> = {},
) {
  const { app, payload } = ctx;
  const now = app.clock.nowMs();
  await app.db.kysely.transaction().execute(async (trx) => {
    await trx
      .updateTable('services')
      .set({ status, updated_at_ms: now, ...extra })
      .where('id', '=', payload.serviceId)
      .execute();
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
  });
}

async function withPanel<T>(
  ctx: JobContext<LifecyclePayload>,
  serverId: string,
  run: (panel: PanelAdapter) => Promise<T>,
): Promise<T> {
  const { client, panel } = await jobPanel(ctx.app, serverId, ctx.job.id);
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

async function addDomainOnce(
  panel: PanelAdapter,
  ctx: JobContext<LifecyclePayload>,
  kind: DomainKind,
  username: string,
  domain: string,
  ip?: string,
) {
  const c = { correlationId: ctx.correlationId };
  const added = await panel.addDomain(c, kind, username, domain, ip ? { ip } : {});
  if (added.ok) return;
  if (isExists(added.error)) {
    // Already there: fine if it is under this account (a retry after a lost response), not otherwise.
    const list = must(await panel.listDomains(c, kind, username), `v-list-${kind}-domains`);
    if (list.some((d) => d.domain === domain)) return;
    throw new JobFailure('permanent', 'DOMAIN_TAKEN', `${domain} already exists on the panel under another account.`);
  }
  throw JobFailure.fromPanel(added.error, `adding ${kind} domain ${domain}`);
}

const createAccount: JobType<LifecyclePayload> = {
  type: 'service.create',
  maxAttempts: 8,
  parse,
  run: async (ctx) => {
    const { app } = ctx;
    const db = app.db.kysely;
    let service = await loadService(db, ctx.payload.serviceId);
    if (service.status === 'active') return; // already done by an earlier run
    const { serverId } = await ctx.step('place', async () => {
      const chosen = service.serverId ?? (await placeService(db, service.serverGroup));
      // Counted against the server's capacity from now on, so concurrent placements spread out.
      await db
        .updateTable('services')
        .set({ server_id: chosen, updated_at_ms: app.clock.nowMs() })
        .where('id', '=', service.id)
        .execute();
      return { serverId: chosen };
    });
    await ctx.bindServer(serverId);
    await ctx.step('credentials', async () => {
      const username = service.username ?? (await generateUsername(db, serverId));
      const sealed = service.passwordSealed ?? app.secrets().seal(generatePanelPassword());
      await db
        .updateTable('services')
        .set({
          server_id: serverId,
          panel_username: username,
          panel_password_sealed: sealed,
          updated_at_ms: app.clock.nowMs(),
        })
        .where('id', '=', service.id)
        .execute();
      return { username };
    });
    service = await loadService(db, service.id);
    const username = service.username!;
    const password = app.secrets().open(service.passwordSealed!);
    await withPanel(ctx, serverId, async (panel) => {
      const c = { correlationId: ctx.correlationId };
      await ctx.step('create-user', async () => {
        const created = await panel.createAccount(c, {
          username,
          password,
          email: service.clientEmail,
          packageName: service.panelPackage,
          name: service.clientName,
        });
        if (created.ok) return { adopted: false };
        if (!isExists(created.error)) throw JobFailure.fromPanel(created.error, 'v-add-user');
        // E_EXISTS: ours only if it carries our client's email and no other service owns the name.
        const account = must(await panel.readAccount(c, username), 'v-list-user');
        const owner = await db
          .selectFrom('services')
          .select('id')
          .where('server_id', '=', serverId)
          .where('panel_username', '=', username)
          .where('id', '!=', service.id)
          .executeTakeFirst();
        if (account.email !== service.clientEmail || owner) {
          throw new JobFailure(
            'permanent',
            'USERNAME_CONFLICT',
            `Panel user ${username} exists and is not ours; refusing to take it over.`,
          );
        }
        return { adopted: true };
      });
      const domain = service.domain;
      if (domain && service.features.webDomain)
        await ctx.step('web-domain', () => addDomainOnce(panel, ctx, 'web', username, domain));
      if (domain && service.features.dnsZone) {
        await ctx.step('dns-zone', async () => {
          const web = must(await panel.listDomains(c, 'web', username), 'v-list-web-domains');
          const ip = web.find((d) => d.domain === domain)?.details.IP;
          if (!ip)
            throw new JobFailure('permanent', 'NO_IP', `No web domain IP to point the DNS zone of ${domain} at.`);
          await addDomainOnce(panel, ctx, 'dns', username, domain, ip);
        });
      }
      if (domain && service.features.mailDomain)
        await ctx.step('mail-domain', () => addDomainOnce(panel, ctx, 'mail', username, domain));
      await verifyCreated(ctx, panel, service, username);
    });
    const cycleDays = { monthly: 30, quarterly: 91, semiannually: 182, annually: 365, biennially: 730 }[
      service.billingCycle
    ];
    await finalize(ctx, 'active', 'service.activated', { next_due_at_ms: app.clock.nowMs() + cycleDays * 86_400_000 });
  },
  compensations: { credentials: deleteCreatedUser },
};

async function verifyCreated(
  ctx: JobContext<LifecyclePayload>,
  panel: PanelAdapter,
  service: ServiceFacts,
  username: string,
) {
  const c = { correlationId: ctx.correlationId };
  const account = must(await panel.readAccount(c, username), 'v-list-user');
  if (account.packageName !== service.panelPackage || account.suspended) {
    throw new JobFailure(
      'retry',
      'VERIFY',
      `Account ${username} reads back with package ${account.packageName}, suspended ${account.suspended}.`,
    );
  }
  const kinds: [boolean, DomainKind][] = [
    [service.features.webDomain, 'web'],
    [service.features.dnsZone, 'dns'],
    [service.features.mailDomain, 'mail'],
  ];
  for (const [wanted, kind] of kinds) {
    if (!wanted || !service.domain) continue;
    const list = must(await panel.listDomains(c, kind, username), `v-list-${kind}-domains`);
    if (!list.some((d) => d.domain === service.domain))
      throw new JobFailure('retry', 'VERIFY', `${kind} domain ${service.domain} is not on the panel yet.`);
  }
}

function simple(
  type: string,
  action: (
    ctx: JobContext<LifecyclePayload>,
    panel: PanelAdapter,
    service: ServiceFacts,
    username: string,
  ) => Promise<{ status: ServiceStatus; audit: string; extra?: Record<string, unknown> }>,
): JobType<LifecyclePayload> {
  return {
    type,
    maxAttempts: 8,
    parse,
    run: async (ctx) => {
      const service = await loadService(ctx.app.db.kysely, ctx.payload.serviceId);
      const { serverId, username } = requireAccount(service);
      const outcome = await withPanel(ctx, serverId, (panel) => action(ctx, panel, service, username));
      await finalize(ctx, outcome.status, outcome.audit, outcome.extra ?? {});
    },
  };
}

const suspend = simple('service.suspend', async (ctx, panel, _s, username) => {
  const c = { correlationId: ctx.correlationId };
  const done = await panel.suspendAccount(c, username);
  if (!done.ok && !isAlreadySuspended(done.error)) throw JobFailure.fromPanel(done.error, 'v-suspend-user');
  if (!must(await panel.readAccount(c, username), 'v-list-user').suspended)
    throw new JobFailure('retry', 'VERIFY', `${username} is not suspended yet.`);
  return { status: 'suspended', audit: 'service.suspended' };
});

const unsuspend = simple('service.unsuspend', async (ctx, panel, _s, username) => {
  const c = { correlationId: ctx.correlationId };
  must(await panel.unsuspendAccount(c, username), 'v-unsuspend-user');
  if (must(await panel.readAccount(c, username), 'v-list-user').suspended)
    throw new JobFailure('retry', 'VERIFY', `${username} is still suspended.`);
  return { status: 'active', audit: 'service.unsuspended' };
});

const terminate = simple('service.terminate', async (ctx, panel, service, username) => {
  const c = { correlationId: ctx.correlationId };
  if (service.status === 'pending') {
    // What a failed creation left: delete the user only if it is this service's.
    const found = await panelUserOf(panel, c, ctx.app.db.kysely, { ...service, serverId: service.serverId!, username });
    if (found === 'not_ours') {
      throw new JobFailure(
        'permanent',
        'NOT_OURS',
        `Panel user ${username} exists but is not this service's (another contact or service); nothing was deleted.`,
      );
    }
    if (found === 'gone') return { status: 'terminated', audit: 'service.terminated' };
  }
  const done = await panel.terminateAccount(c, username);
  if (!done.ok && !isAlreadyGone(done.error)) throw JobFailure.fromPanel(done.error, 'v-delete-user');
  const check = await panel.readAccount(c, username);
  if (check.ok) throw new JobFailure('retry', 'VERIFY', `${username} still exists on the panel.`);
  if (!isAlreadyGone(check.error)) throw JobFailure.fromPanel(check.error, 'v-list-user');
  return { status: 'terminated', audit: 'service.terminated' };
});

const changePackage = simple('service.change_package', async (ctx, panel, service, username) => {
  const c = { correlationId: ctx.correlationId };
  const productId = ctx.payload.productId ?? service.productId;
  const product = await ctx.app.db.kysely
    .selectFrom('products')
    .select(['id', 'panel_package'])
    .where('id', '=', productId)
    .executeTakeFirst();
  if (!product) throw new JobFailure('permanent', 'PRODUCT_NOT_FOUND', `Product ${productId} does not exist.`);
  must(await panel.changePackage(c, username, product.panel_package), 'v-change-user-package');
  const account = must(await panel.readAccount(c, username), 'v-list-user');
  if (account.packageName !== product.panel_package)
    throw new JobFailure('retry', 'VERIFY', `${username} reads back with package ${account.packageName}.`);
  return {
    status: service.status as ServiceStatus,
    audit: 'service.package_changed',
    extra: { product_id: product.id },
  };
});

const changePassword = simple('service.change_password', async (ctx, panel, service, username) => {
  const c = { correlationId: ctx.correlationId };
  // The new password is chosen once and sealed in the step, so a retry sets the same one.
  const { sealed } = await ctx.step('new-password', async () => ({
    sealed: ctx.app.secrets().seal(generatePanelPassword()),
  }));
  must(await panel.changePassword(c, username, ctx.app.secrets().open(sealed)), 'v-change-user-password');
  must(await panel.readAccount(c, username), 'v-list-user');
  return {
    status: service.status as ServiceStatus,
    audit: 'service.password_changed',
    extra: { panel_password_sealed: sealed, panel_password_revealed_at_ms: null },
  };
});

/** A client's change to what lives in the account: a domain or a database added or removed. */
export type PanelOp =
  | { kind: 'add_domain'; domainKind: DomainKind; domain: string }
  | { kind: 'delete_domain'; domainKind: DomainKind; domain: string }
  | { kind: 'add_database'; database: string; dbUser: string; passwordSealed: string }
  | { kind: 'delete_database'; database: string };

const panelAction = simple('service.panel_action', async (ctx, panel, service, username) => {
  const c = { correlationId: ctx.correlationId };
  const op = ctx.payload.op;
  if (!op) throw new JobFailure('permanent', 'BAD_PAYLOAD', 'The job has no operation.');
  if (op.kind === 'add_domain') {
    const ip =
      op.domainKind === 'dns'
        ? must(await panel.listDomains(c, 'web', username), 'v-list-web-domains')[0]?.details.IP
        : undefined;
    if (op.domainKind === 'dns' && !ip) {
      throw new JobFailure('permanent', 'NO_IP', 'Add a web domain first: a DNS zone points at the website IP.');
    }
    await addDomainOnce(panel, ctx, op.domainKind, username, op.domain, ip);
  } else if (op.kind === 'delete_domain') {
    const done = await panel.deleteDomain(c, op.domainKind, username, op.domain);
    if (!done.ok && !isAlreadyGone(done.error)) throw JobFailure.fromPanel(done.error, `deleting ${op.domain}`);
  } else if (op.kind === 'add_database') {
    const password = ctx.app.secrets().open(op.passwordSealed);
    const added = await panel.addDatabase(c, username, { database: op.database, dbUser: op.dbUser, password });
    if (!added.ok && !isExists(added.error)) throw JobFailure.fromPanel(added.error, `adding database ${op.database}`);
  } else {
    const done = await panel.deleteDatabase(c, username, op.database);
    if (!done.ok && !isAlreadyGone(done.error))
      throw JobFailure.fromPanel(done.error, `deleting database ${op.database}`);
  }
  return { status: service.status as ServiceStatus, audit: `service.${op.kind}` };
});

export const LIFECYCLE_JOBS: JobType<LifecyclePayload>[] = [
  createAccount,
  suspend,
  unsuspend,
  terminate,
  changePackage,
  changePassword,
  panelAction,
];

export function jobTypes(): Map<string, JobType<unknown>> {
  return new Map(LIFECYCLE_JOBS.map((t) => [t.type, t as JobType<unknown>]));
}

export type LifecycleAction =
  | 'create'
  | 'suspend'
  | 'unsuspend'
  | 'terminate'
  | 'change_package'
  | 'change_password'
  | 'panel_action';
export const ACTION_TYPES: Record<LifecycleAction, string> = {
  create: 'service.create',
  suspend: 'service.suspend',
  unsuspend: 'service.unsuspend',
  terminate: 'service.terminate',
  change_package: 'service.change_package',
  change_password: 'service.change_password',
  panel_action: 'service.panel_action',
};

export type { AppContext };
