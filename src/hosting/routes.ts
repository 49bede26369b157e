import { Type } from '@sinclair/typebox';
import { AppError } from '../platform/http/errors.js';
import { IdParam, iso, NullableString, StringEnum, TextBlock, TextLine } from '../platform/http/schemas.js';
import { requestLifecycle } from '../provisioning/actions.js';
import { type AnyRouteSpec, defineRoute } from '../userapi/route.js';
import {
  checkDomain,
  DOMAIN_KINDS,
  newDatabasePassword,
  ownedAccount,
  queuePanelOp,
  readPanel,
  requireDatabase,
  requireDomain,
} from './hosting.js';

const HOSTING = 'Hosting';
const ServiceParams = Type.Object({ id: IdParam('service', 'Service id') }, { additionalProperties: false });
const Accepted = Type.Object(
  { operation_id: IdParam('job', 'Follow it with GET /operations/{id}') },
  { additionalProperties: false },
);
const Limit = Type.Union([Type.Integer(), Type.Null()], { description: 'null = unlimited' });
const Usage = Type.Object(
  {
    disk_mb: Type.Number(),
    disk_quota_mb: Limit,
    bandwidth_mb: Type.Number(),
    bandwidth_limit_mb: Limit,
    web_domains: Type.Integer(),
    web_domains_limit: Limit,
    dns_domains: Type.Integer(),
    dns_domains_limit: Limit,
    mail_domains: Type.Integer(),
    mail_domains_limit: Limit,
    databases: Type.Integer(),
    databases_limit: Limit,
    suspended: Type.Boolean(),
  },
  { additionalProperties: false },
);

const domainRoutes: AnyRouteSpec[] = DOMAIN_KINDS.flatMap(({ kind, path, label }) => [
  defineRoute({
    method: 'GET',
    path: `/services/{id}/${path}`,
    operationId: `list${kind[0]!.toUpperCase()}${kind.slice(1)}Domains`,
    category: HOSTING,
    summary: `List ${label}`,
    description: `The ${label} of this hosting account, read from the server.`,
    auth: 'client',
    params: ServiceParams,
    errors: ['conflict', 'unavailable'],
    response: {
      status: 200,
      description: `The ${label}`,
      schema: Type.Object(
        {
          items: Type.Array(
            Type.Object({ domain: Type.String(), suspended: Type.Boolean() }, { additionalProperties: false }),
          ),
        },
        { additionalProperties: false },
      ),
    },
    handler: async ({ params }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id);
      const list = await readPanel(ctx.app, service, (panel, c) => panel.listDomains(c, kind, service.username));
      return { items: list.map((d) => ({ domain: d.domain, suspended: d.suspended })) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `/services/{id}/${path}`,
    operationId: `add${kind[0]!.toUpperCase()}${kind.slice(1)}Domain`,
    category: HOSTING,
    summary: `Add to ${label}`,
    description: `Adds a domain to this account's ${label}. Answers 202: the server is changed in the background.`,
    auth: 'client',
    idempotent: true,
    params: ServiceParams,
    body: Type.Object(
      { domain: TextLine({ minLength: 3, maxLength: 253, examples: ['blog.example.com'] }) },
      { additionalProperties: false },
    ),
    errors: ['conflict'],
    response: { status: 202, description: 'Queued', schema: Accepted },
    handler: async ({ params, body }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id, ['active']);
      return queuePanelOp(
        ctx.app,
        service,
        { kind: 'add_domain', domainKind: kind, domain: checkDomain(body.domain) },
        ctx,
      );
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: `/services/{id}/${path}/{domain}`,
    operationId: `delete${kind[0]!.toUpperCase()}${kind.slice(1)}Domain`,
    category: HOSTING,
    summary: `Remove from ${label}`,
    description: `Removes a domain from this account's ${label}. Answers 202; a domain the account does not have is a 404.`,
    auth: 'client',
    params: Type.Object(
      { id: IdParam('service', 'Service id'), domain: TextLine({ minLength: 3, maxLength: 253 }) },
      { additionalProperties: false },
    ),
    errors: ['conflict', 'unavailable'],
    response: { status: 202, description: 'Queued', schema: Accepted },
    handler: async ({ params }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id, ['active']);
      const domain = checkDomain(params.domain);
      await requireDomain(ctx.app, service, kind, domain);
      return queuePanelOp(ctx.app, service, { kind: 'delete_domain', domainKind: kind, domain }, ctx);
    },
  }),
]);

export const hostingRoutes: AnyRouteSpec[] = [
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
      const a = await readPanel(ctx.app, service, (panel, c) => panel.readAccount(c, service.username));
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
      const now = ctx.app.clock.nowMs();
      const row = await ctx.app.db.kysely
        .selectFrom('services')
        .select(['panel_password_sealed'])
        .where('id', '=', service.id)
        .executeTakeFirstOrThrow();
      const marked = await ctx.app.db.kysely
        .updateTable('services')
        .set({ panel_password_revealed_at_ms: now })
        .where('id', '=', service.id)
        .where('panel_password_revealed_at_ms', 'is', null)
        .executeTakeFirst();
      if (Number(marked.numUpdatedRows) !== 1 || !row.panel_password_sealed) {
        throw new AppError(
          'conflict',
          'The password was already shown once. Set a new one with POST /services/{id}/password.',
        );
      }
      ctx.setHeader('cache-control', 'no-store');
      return { username: service.username, password: ctx.app.secrets().open(row.panel_password_sealed) };
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
      const jobId = await requestLifecycle(ctx.app, {
        serviceId: service.id,
        action: 'change_password',
        actor: { type: 'client', id: service.clientId, ip: ctx.ip },
        correlationId: ctx.requestId,
      });
      return { operation_id: jobId };
    },
  }),
  ...domainRoutes,
  defineRoute({
    method: 'GET',
    path: '/services/{id}/databases',
    operationId: 'listDatabases',
    category: HOSTING,
    summary: 'List databases',
    description: 'The databases of this hosting account (names are prefixed with the account username).',
    auth: 'client',
    params: ServiceParams,
    errors: ['conflict', 'unavailable'],
    response: {
      status: 200,
      description: 'The databases',
      schema: Type.Object(
        {
          items: Type.Array(
            Type.Object(
              { name: Type.String(), user: Type.String(), type: Type.String() },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    },
    handler: async ({ params }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id);
      const list = await readPanel(ctx.app, service, (panel, c) => panel.listDatabases(c, service.username));
      return { items: list.map((d) => ({ name: d.name, user: d.dbUser, type: d.type })) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/services/{id}/databases',
    operationId: 'addDatabase',
    category: HOSTING,
    summary: 'Create a database',
    description: 'Creates a MySQL database and its user (202). The generated password is in this response only.',
    auth: 'client',
    idempotent: true,
    params: ServiceParams,
    body: Type.Object(
      {
        name: Type.String({
          pattern: '^[A-Za-z0-9_]{1,20}$',
          description: 'Short name; the server prefixes it with the account username',
          examples: ['shop'],
        }),
        user: Type.String({ pattern: '^[A-Za-z0-9_]{1,20}$', examples: ['shop'] }),
      },
      { additionalProperties: false },
    ),
    errors: ['conflict'],
    response: {
      status: 202,
      description: 'Queued; the database password, shown once',
      schema: Type.Object(
        {
          operation_id: IdParam('job', 'Operation id'),
          database: Type.String(),
          user: Type.String(),
          password: Type.String(),
        },
        { additionalProperties: false },
      ),
    },
    handler: async ({ params, body }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id, ['active']);
      const { password, sealed } = newDatabasePassword(ctx.app);
      const queued = await queuePanelOp(
        ctx.app,
        service,
        { kind: 'add_database', database: body.name, dbUser: body.user, passwordSealed: sealed },
        ctx,
      );
      return {
        ...queued,
        database: `${service.username}_${body.name}`,
        user: `${service.username}_${body.user}`,
        password,
      };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/services/{id}/databases/{name}',
    operationId: 'deleteDatabase',
    category: HOSTING,
    summary: 'Delete a database',
    description:
      'Deletes a database by its full name (as listed). Answers 202; a database the account does not have is a 404.',
    auth: 'client',
    params: Type.Object(
      { id: IdParam('service', 'Service id'), name: Type.String({ pattern: '^[A-Za-z0-9_]{1,63}$' }) },
      { additionalProperties: false },
    ),
    errors: ['conflict', 'unavailable'],
    response: { status: 202, description: 'Queued', schema: Accepted },
    handler: async ({ params }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id, ['active']);
      await requireDatabase(ctx.app, service, params.name);
      return queuePanelOp(ctx.app, service, { kind: 'delete_database', database: params.name }, ctx);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/services/{id}/cancellation',
    operationId: 'requestCancellation',
    category: HOSTING,
    summary: 'Cancel the service',
    description:
      '`end_of_period`: the service runs until its next due date, then ends (withdraw with DELETE). `immediate`: the hosting account is removed now (202 with the operation) — its files, mail and databases are deleted.',
    auth: 'client',
    idempotent: true,
    params: ServiceParams,
    body: Type.Object(
      {
        type: StringEnum(['end_of_period', 'immediate']),
        reason: Type.Optional(TextBlock({ maxLength: 1000 })),
      },
      { additionalProperties: false },
    ),
    errors: ['conflict'],
    response: {
      status: 202,
      description: 'Recorded (and, for immediate, the removal queued)',
      schema: Type.Object(
        { type: Type.String(), requested_at: Type.String(), operation_id: NullableString() },
        { additionalProperties: false },
      ),
    },
    handler: async ({ params, body }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id, ['active', 'suspended']);
      const now = ctx.app.clock.nowMs();
      await ctx.app.db.kysely
        .updateTable('services')
        .set({
          cancellation_type: body.type,
          cancellation_reason: body.reason ?? null,
          cancellation_requested_at_ms: now,
          updated_at_ms: now,
        })
        .where('id', '=', service.id)
        .execute();
      let operation: string | null = null;
      if (body.type === 'immediate') {
        operation = await requestLifecycle(ctx.app, {
          serviceId: service.id,
          action: 'terminate',
          actor: { type: 'client', id: service.clientId, ip: ctx.ip },
          correlationId: ctx.requestId,
        });
      }
      return { type: body.type, requested_at: iso(now), operation_id: operation };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/services/{id}/cancellation',
    operationId: 'withdrawCancellation',
    category: HOSTING,
    summary: 'Withdraw a cancellation',
    description:
      'Withdraws an end-of-period cancellation before it takes effect. An immediate cancellation cannot be withdrawn.',
    auth: 'client',
    params: ServiceParams,
    errors: ['conflict'],
    response: { status: 204, description: 'Withdrawn' },
    handler: async ({ params }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id, ['active', 'suspended']);
      const result = await ctx.app.db.kysely
        .updateTable('services')
        .set({
          cancellation_type: null,
          cancellation_reason: null,
          cancellation_requested_at_ms: null,
          updated_at_ms: ctx.app.clock.nowMs(),
        })
        .where('id', '=', service.id)
        .where('cancellation_type', '=', 'end_of_period')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1)
        throw new AppError('conflict', 'There is no end-of-period cancellation to withdraw.');
      return undefined;
    },
  }),
];
