import { Type } from '@sinclair/typebox';
import { type AnyRouteSpec, defineRoute } from '../userapi/route.js';
import { ownedAccount, readPanel, resetPanelPassword, revealCredentials } from './hosting.js';
import { Accepted, HOSTING, ServiceParams, Usage } from './schemas.js';

/** The hosting account itself: its usage, the one-time panel login and a new panel password. */
export const accountRoutes: AnyRouteSpec[] = [
  defineRoute({
    method: 'GET',
    path: '/services/{id}/usage',
    operationId: 'getServiceUsage',
    category: HOSTING,
    summary: 'Get usage',
    description: 'Disk, bandwidth and counts against your plan’s limits, read from the hosting server.',
    auth: 'client',
    params: ServiceParams,
    errors: ['conflict', 'unavailable'],
    response: { status: 200, description: 'Usage and limits', schema: Usage },
    handler: async ({ params }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id);
      const a = await readPanel(ctx.app, service, ctx, (panel, c) => panel.readAccount(c, service.username));
      const u = a.usage;
      return {
        disk_mb: u.diskMb,
        disk_quota_mb: u.diskQuotaMb,
        bandwidth_mb: u.bandwidthMb,
        bandwidth_limit_mb: u.bandwidthLimitMb,
        web_domains: u.webDomains,
        web_domains_limit: u.webDomainsLimit,
        dns_domains: u.dnsDomains,
        dns_domains_limit: u.dnsDomainsLimit,
        mail_domains: u.mailDomains,
        mail_domains_limit: u.mailDomainsLimit,
        databases: u.databases,
        databases_limit: u.databasesLimit,
        suspended: a.suspended,
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/services/{id}/credentials',
    operationId: 'revealServiceCredentials',
    category: HOSTING,
    summary: 'Show the panel login (once)',
    description:
      'The hosting panel username and the password Portico generated, shown once. Afterwards this answers 409: set a new password with POST /services/{id}/password and read it here again. Needs a read-write credential: the answer is a secret that gives write access to the panel, and reading it uses up the one showing.',
    auth: 'client',
    // A GET, but it uses up the one-time reveal and hands out the panel's password.
    scope: 'write',
    params: ServiceParams,
    errors: ['conflict', 'insufficient_scope'],
    response: {
      status: 200,
      description: 'The login',
      schema: Type.Object({ username: Type.String(), password: Type.String() }, { additionalProperties: false }),
    },
    handler: async ({ params }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id, ['active', 'suspended']);
      const login = await revealCredentials(ctx.app, service);
      ctx.setHeader('cache-control', 'no-store');
      return login;
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/services/{id}/password',
    operationId: 'resetServicePassword',
    category: HOSTING,
    summary: 'Set a new panel password',
    description:
      'Portico generates a new strong password and sets it on the panel (202). Read it once with GET /services/{id}/credentials when the operation has succeeded.',
    auth: 'client',
    idempotent: true,
    params: ServiceParams,
    errors: ['conflict'],
    response: { status: 202, description: 'Queued', schema: Accepted },
    handler: async ({ params }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id, ['active']);
      return resetPanelPassword(ctx.app, service, ctx);
    },
  }),
];
