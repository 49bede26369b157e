import { periodStart, startOfDay } from '../../billing/calendar.js';
import { JobFailure } from '../../jobs/types.js';
import { type DomainKind, isExists, type PanelAdapter } from '../../panel/adapter.js';
import { assignServiceServer, isPanelUsernameTaken, setServiceAccount } from '../../services/store.js';
import { deleteCreatedUser } from '../compensations.js';
import { loadService, must, type ServiceFacts } from '../context.js';
import { defineLifecycleJob, ServicePayloadSchema } from '../lifecycle.js';
import { generatePanelPassword, generateUsername, placeService } from '../placement.js';
import { addDomainOnce, finalize, type LifecycleContext, withPanel } from '../steps.js';

/**
 * Creates the hosting account of a paid service: place it on a server, choose its credentials,
 * create (or adopt) the panel user, add the domains its product includes, read it all back, and
 * mark the service active. A creation that gives up deletes the user it may have made.
 */
export const createJob = defineLifecycleJob({
  action: 'create',
  type: 'service.create',
  allowedFrom: ['pending'],
  payload: ServicePayloadSchema,
  maxAttempts: 8,
  run: createAccount,
  compensations: { credentials: deleteCreatedUser },
});

/** `reprovision` re-runs creation for a service whose creation failed. */
export const reprovision = { action: 'reprovision', runs: createJob, allowedFrom: ['pending'] } as const;

async function createAccount(ctx: LifecycleContext): Promise<void> {
  const { deps } = ctx;
  const db = deps.db.kysely;
  let service = await loadService(db, ctx.payload.serviceId);
  if (service.status === 'active') return; // already done by an earlier run
  const { serverId } = await ctx.step('place', async () => {
    const chosen = service.serverId ?? (await placeService(db, service.serverGroup));
    // Counted against the server's capacity from now on, so concurrent placements spread out.
    await assignServiceServer(db, service.id, chosen, deps.clock.nowMs());
    return { serverId: chosen };
  });
  await ctx.bindServer(serverId);
  await ctx.step('credentials', async () => {
    const username = service.username ?? (await generateUsername(db, serverId));
    const passwordSealed = service.passwordSealed ?? deps.secrets().seal(generatePanelPassword());
    await setServiceAccount(db, service.id, { serverId, username, passwordSealed, nowMs: deps.clock.nowMs() });
    return { username };
  });
  service = await loadService(db, service.id);
  const username = service.username!;
  const password = deps.secrets().open(service.passwordSealed!);
  await withPanel(ctx, serverId, async (panel) => {
    await ctx.step('create-user', () => createUser(ctx, panel, { service, serverId, username, password }));
    await addDomains(ctx, panel, service, username);
    await verifyCreated(ctx, panel, service, username);
  });
  // The first period starts on the day of activation; the next is due one calendar cycle later.
  const zone = deps.settings.snapshot['billing.time_zone'];
  const anchor = startOfDay(deps.clock.nowMs(), zone);
  await finalize(
    ctx,
    { status: 'active', billing_anchor_ms: anchor, next_due_at_ms: periodStart(anchor, service.billingCycle, 1, zone) },
    'service.activated',
  );
}

async function createUser(
  ctx: LifecycleContext,
  panel: PanelAdapter,
  input: { service: ServiceFacts; serverId: string; username: string; password: string },
): Promise<{ adopted: boolean }> {
  const { service, serverId, username } = input;
  const c = { correlationId: ctx.correlationId };
  const created = await panel.createAccount(c, {
    username,
    password: input.password,
    email: service.clientEmail,
    packageName: service.panelPackage,
    name: service.clientName,
  });
  if (created.ok) return { adopted: false };
  if (!isExists(created.error)) throw JobFailure.fromPanel(created.error, 'v-add-user');
  // E_EXISTS: ours only if it carries our client's email and no other service owns the name.
  const account = must(await panel.readAccount(c, username), 'v-list-user');
  const owned = await isPanelUsernameTaken(ctx.deps.db.kysely, { serverId, username, exceptServiceId: service.id });
  if (account.email !== service.clientEmail || owned) {
    throw new JobFailure(
      'permanent',
      'USERNAME_CONFLICT',
      `Panel user ${username} exists and is not ours; refusing to take it over.`,
    );
  }
  return { adopted: true };
}

/** The domains the product includes; a DNS zone points at the web domain's IP. */
async function addDomains(ctx: LifecycleContext, panel: PanelAdapter, service: ServiceFacts, username: string) {
  const c = { correlationId: ctx.correlationId };
  const domain = service.domain;
  if (!domain) return;
  if (service.features.webDomain)
    await ctx.step('web-domain', () => addDomainOnce(panel, ctx, 'web', username, domain));
  if (service.features.dnsZone) {
    await ctx.step('dns-zone', async () => {
      const web = must(await panel.listDomains(c, 'web', username), 'v-list-web-domains');
      const ip = web.find((d) => d.domain === domain)?.details.IP;
      if (!ip) throw new JobFailure('permanent', 'NO_IP', `No web domain IP to point the DNS zone of ${domain} at.`);
      await addDomainOnce(panel, ctx, 'dns', username, domain, ip);
    });
  }
  if (service.features.mailDomain)
    await ctx.step('mail-domain', () => addDomainOnce(panel, ctx, 'mail', username, domain));
}

async function verifyCreated(ctx: LifecycleContext, panel: PanelAdapter, service: ServiceFacts, username: string) {
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
