import { type Static, Type } from '@sinclair/typebox';
import { type AdminRouteContext, defineAdminRoute } from '../admin/route.js';
import { audit } from '../audit/audit.js';
import type { TlsTrust } from '../hestia/tls.js';
import { iso } from '../platform/http/checks.js';
import { countPlacedServices } from '../services/store.js';
import {
  AcceptanceReport,
  AddServerBody,
  CallBody,
  CallReport,
  CheckResult,
  NameParam,
  PauseServerBody,
  ServerView,
  UpdatedServer,
  UpdateServerBody,
} from './admin-schemas.js';
import { runAcceptance } from './runbook/acceptance.js';
import { callPanel } from './runbook/call.js';
import { checkServer } from './runbook/check.js';
import { addServer, getServer, listServers, pauseServerByAdmin, removeServer, resumeServer } from './servers.js';
import type { ServerRow } from './store.js';
import { updateServerInPlace } from './update.js';

/** Servers in the Admin API: the same operations as `portico server …`, for the admin area. */
function view(row: ServerRow) {
  return {
    id: row.id,
    name: row.name,
    host: row.host,
    port: row.port,
    group: row.server_group,
    capacity: row.capacity,
    tls_mode: row.tls_mode,
    enabled: row.enabled === 1,
    sandbox: row.is_sandbox === 1,
    paused_reason: row.paused_reason,
    created_at: iso(row.created_at_ms),
  };
}

function trustOf(tls: Static<typeof AddServerBody>['tls']): TlsTrust {
  if (tls.mode === 'ca') return { mode: 'ca', caPem: tls.ca_pem };
  if (tls.mode === 'pin') return { mode: 'pin', sha256: tls.sha256 };
  return { mode: tls.mode };
}

const category = 'Servers';

function auditServer(ctx: AdminRouteContext, action: string, row: ServerRow, details?: Record<string, unknown>) {
  return audit(ctx.app.db.kysely, ctx.app.clock.nowMs(), {
    actorType: 'admin',
    actorId: ctx.principal.adminId,
    action,
    targetType: 'server',
    targetId: row.id,
    ip: ctx.ip,
    requestId: ctx.requestId,
    ...(details ? { details } : {}),
  });
}

export const serverAdminRoutes = [
  defineAdminRoute({
    method: 'GET',
    path: '/servers',
    operationId: 'adminListServers',
    category,
    summary: 'List servers',
    description: 'Every panel server Portico provisions on, with its state (never its access key).',
    auth: 'admin',
    response: {
      status: 200,
      description: 'The servers.',
      schema: Type.Object(
        {
          items: Type.Array(
            Type.Object(
              {
                ...ServerView.properties,
                accounts: Type.Integer({
                  description: 'Services placed on it that count against its capacity (pending, active, suspended)',
                }),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    },
    handler: async (_input, ctx) => {
      const rows = await listServers(ctx.app);
      // No servers, no query: `in ()` is not valid SQL on PostgreSQL.
      const accounts = rows.length
        ? await countPlacedServices(
            ctx.app.db.kysely,
            rows.map((r) => r.id),
          )
        : new Map<string, number>();
      return { items: rows.map((row) => ({ ...view(row), accounts: accounts.get(row.id) ?? 0 })) };
    },
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/servers',
    operationId: 'adminAddServer',
    category,
    summary: 'Add a server',
    description:
      'Registers a HestiaCP panel; its access key is sealed with the master key. The same as `portico server add`.',
    auth: 'admin',
    permission: 'servers',
    body: AddServerBody,
    response: { status: 201, description: 'The server.', schema: ServerView },
    errors: ['conflict'],
    handler: async ({ body }, ctx) => {
      const [id = '', secret = ''] = body.access_key.split(':');
      const row = await addServer(ctx.app, {
        name: body.name,
        host: body.host,
        port: body.port,
        credentials: { kind: 'access_key', id, secret },
        tls: trustOf(body.tls),
        group: body.group,
        capacity: body.capacity,
        rootUser: body.root_user,
      });
      await auditServer(ctx, 'server.add', row, { name: row.name, host: row.host, port: row.port, tls: row.tls_mode });
      return view(row);
    },
  }),
  defineAdminRoute({
    method: 'PATCH',
    path: '/servers/{name}',
    operationId: 'adminUpdateServer',
    category,
    summary: 'Change a server',
    description:
      'Changes its address, access key, TLS trust, group, capacity or root user in place; a change of access checks the new access and resumes a server paused for a refused key.',
    auth: 'admin',
    permission: 'servers',
    params: NameParam,
    body: UpdateServerBody,
    response: { status: 200, description: 'The server after the change.', schema: UpdatedServer },
    errors: ['not_found', 'conflict'],
    handler: async ({ params, body }, ctx) => {
      const [id = '', secret = ''] = body.access_key?.split(':') ?? [];
      const { row, access, resumed } = await updateServerInPlace(ctx.app, params.name, {
        ...(body.access_key ? { credentials: { kind: 'access_key' as const, id, secret } } : {}),
        ...(body.tls ? { tls: trustOf(body.tls) } : {}),
        ...(body.host !== undefined ? { host: body.host } : {}),
        ...(body.port !== undefined ? { port: body.port } : {}),
        ...(body.root_user !== undefined ? { rootUser: body.root_user } : {}),
        ...(body.group !== undefined ? { group: body.group } : {}),
        ...(body.capacity !== undefined ? { capacity: body.capacity } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      });
      // Which fields changed, never the key itself.
      await auditServer(ctx, 'server.update', row, { changed: Object.keys(body), resumed });
      return { ...view(row), access_check: access, resumed };
    },
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/servers/{name}/resume',
    operationId: 'adminResumeServer',
    category,
    summary: 'Resume a paused server',
    description: 'Lets the jobs waiting for this server run again (after its access key was fixed on the panel).',
    auth: 'admin',
    permission: 'servers',
    params: NameParam,
    response: { status: 200, description: 'The server.', schema: ServerView },
    errors: ['not_found'],
    handler: async ({ params }, ctx) => {
      const row = await resumeServer(ctx.app, await getServer(ctx.app, params.name));
      await auditServer(ctx, 'server.resume', row);
      return view(row);
    },
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/servers/{name}/pause',
    operationId: 'adminPauseServer',
    category,
    summary: 'Pause a server',
    description:
      'Holds the jobs bound to this server (they wait, queued) and places no new account on it, with the reason, until it is resumed: for panel maintenance. A change of its key or TLS does not lift a pause made here; resuming does.',
    auth: 'admin',
    permission: 'servers',
    params: NameParam,
    body: PauseServerBody,
    response: { status: 200, description: 'The server, paused.', schema: ServerView },
    errors: ['not_found', 'conflict'],
    handler: async ({ params, body }, ctx) => {
      const row = await pauseServerByAdmin(ctx.app, await getServer(ctx.app, params.name), body.reason);
      await auditServer(ctx, 'server.pause', row, { reason: body.reason });
      return view(row);
    },
  }),
  defineAdminRoute({
    method: 'DELETE',
    path: '/servers/{name}',
    operationId: 'adminRemoveServer',
    category,
    summary: 'Remove a server',
    description: 'Forgets a server that no service lives on. Nothing on the panel changes.',
    auth: 'admin',
    permission: 'servers',
    params: NameParam,
    response: { status: 204, description: 'Removed.' },
    errors: ['not_found', 'conflict'],
    handler: async ({ params }, ctx) => {
      const row = await getServer(ctx.app, params.name);
      await removeServer(ctx.app, params.name);
      await auditServer(ctx, 'server.remove', row);
      return undefined;
    },
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/servers/{name}/check',
    operationId: 'adminCheckServer',
    category,
    summary: 'Check a server',
    description:
      'DNS, TCP, TLS and API access, each with what to do when it fails. The same as `portico server check`.',
    auth: 'admin',
    permission: 'servers.check',
    params: NameParam,
    response: {
      status: 200,
      description: 'The checks.',
      schema: Type.Object({ ok: Type.Boolean(), results: Type.Array(CheckResult) }, { additionalProperties: false }),
    },
    errors: ['not_found'],
    handler: async ({ params }, ctx) => {
      const results = await checkServer(ctx.app, await getServer(ctx.app, params.name));
      return { ok: results.every((r) => r.ok), results };
    },
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/servers/{name}/call',
    operationId: 'adminCallServer',
    category,
    summary: 'Call a panel command',
    description: 'One HestiaCP API command with its outcome as the panel gave it. The same as `portico hestia call`.',
    auth: 'admin',
    permission: 'servers',
    params: NameParam,
    body: CallBody,
    response: { status: 200, description: 'What the panel answered.', schema: CallReport },
    errors: ['not_found'],
    handler: async ({ params, body }, ctx) =>
      callPanel(ctx.app, await getServer(ctx.app, params.name), body.cmd, body.args),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/servers/{name}/acceptance',
    operationId: 'adminRunServerAcceptance',
    category,
    summary: 'Run the acceptance test on a server',
    description:
      'Creates a throw-away account with a domain and a database, reads them back and removes them, step by step. The same as `portico acceptance`.',
    auth: 'admin',
    permission: 'servers',
    params: NameParam,
    body: Type.Object(
      { package: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$', examples: ['default'] })) },
      { additionalProperties: false },
    ),
    response: { status: 200, description: 'The steps.', schema: AcceptanceReport },
    errors: ['not_found'],
    handler: async ({ params, body }, ctx) => {
      const steps = await runAcceptance(ctx.app, await getServer(ctx.app, params.name), {
        ...(body?.package ? { packageName: body.package } : {}),
      });
      return { ok: steps.every((s) => s.ok), steps };
    },
  }),
];
