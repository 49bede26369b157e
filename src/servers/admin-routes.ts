import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { audit } from '../audit/audit.js';
import type { TlsTrust } from '../hestia/tls.js';
import { iso } from '../platform/http/schemas.js';
import { runAcceptance } from './runbook/acceptance.js';
import { callPanel } from './runbook/call.js';
import { checkServer } from './runbook/check.js';
import { addServer, getServer, listServers, removeServer, resumeServer } from './servers.js';
import type { ServerRow } from './store.js';
import { updateServerInPlace } from './update.js';

/** Servers in the Admin API: the same operations as `portico server …`, for the admin area. */
const NameParam = Type.Object(
  { name: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,62}$' }) },
  { additionalProperties: false },
);

const AddServerBody = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,62}$', examples: ['web1'] }),
    host: Type.String({ minLength: 1, maxLength: 253, examples: ['panel1.example.com'] }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 8083 }),
    access_key: Type.String({
      pattern: '^[0-9A-Za-z]{20}:[0-9A-Za-z_=-]{40}$',
      description: 'ID:SECRET from v-add-access-key',
    }),
    tls: Type.Union([
      Type.Object({ mode: Type.Literal('system') }, { additionalProperties: false }),
      Type.Object(
        { mode: Type.Literal('ca'), ca_pem: Type.String({ maxLength: 20000 }) },
        { additionalProperties: false },
      ),
      Type.Object(
        { mode: Type.Literal('pin'), sha256: Type.String({ maxLength: 100 }) },
        { additionalProperties: false },
      ),
      Type.Object({ mode: Type.Literal('insecure') }, { additionalProperties: false }),
    ]),
    group: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,62}$', default: 'default' }),
    capacity: Type.Integer({ minimum: 0, default: 100 }),
    root_user: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$', default: 'admin' }),
  },
  { additionalProperties: false },
);

const UpdateServerBody = Type.Object(
  {
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    access_key: Type.Optional(
      Type.String({ pattern: '^[0-9A-Za-z]{20}:[0-9A-Za-z_=-]{40}$', description: 'ID:SECRET from v-add-access-key' }),
    ),
    tls: Type.Optional(AddServerBody.properties.tls),
    group: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,62}$' })),
    capacity: Type.Optional(Type.Integer({ minimum: 0 })),
    root_user: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$' })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

const CallBody = Type.Object(
  {
    cmd: Type.String({ pattern: '^[a-zA-Z0-9_-]+$' }),
    args: Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 13, default: [] }),
  },
  { additionalProperties: false },
);

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

export function registerServerAdminRoutes(server: FastifyInstance, app: AppContext): void {
  server.get('/servers', async () => ({ items: (await listServers(app)).map(view) }));

  server.post<{ Body: Static<typeof AddServerBody> }>(
    '/servers',
    { schema: { body: AddServerBody } },
    async (request, reply) => {
      const body = request.body;
      const [id = '', secret = ''] = body.access_key.split(':');
      const row = await addServer(app, {
        name: body.name,
        host: body.host,
        port: body.port,
        credentials: { kind: 'access_key', id, secret },
        tls: trustOf(body.tls),
        group: body.group,
        capacity: body.capacity,
        rootUser: body.root_user,
      });
      await audit(app.db.kysely, app.clock.nowMs(), {
        actorType: 'admin',
        actorId: request.admin?.adminId ?? null,
        action: 'server.add',
        targetType: 'server',
        targetId: row.id,
        ip: request.ip,
        requestId: request.id,
        details: { name: row.name, host: row.host, port: row.port, tls: row.tls_mode },
      });
      return reply.code(201).send(view(row));
    },
  );

  server.patch<{ Params: Static<typeof NameParam>; Body: Static<typeof UpdateServerBody> }>(
    '/servers/:name',
    { schema: { params: NameParam, body: UpdateServerBody } },
    async (request) => {
      const body = request.body;
      const [id = '', secret = ''] = body.access_key?.split(':') ?? [];
      const { row, access, resumed } = await updateServerInPlace(app, request.params.name, {
        ...(body.access_key ? { credentials: { kind: 'access_key' as const, id, secret } } : {}),
        ...(body.tls ? { tls: trustOf(body.tls) } : {}),
        ...(body.host !== undefined ? { host: body.host } : {}),
        ...(body.port !== undefined ? { port: body.port } : {}),
        ...(body.root_user !== undefined ? { rootUser: body.root_user } : {}),
        ...(body.group !== undefined ? { group: body.group } : {}),
        ...(body.capacity !== undefined ? { capacity: body.capacity } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      });
      await audit(app.db.kysely, app.clock.nowMs(), {
        actorType: 'admin',
        actorId: request.admin?.adminId ?? null,
        action: 'server.update',
        targetType: 'server',
        targetId: row.id,
        ip: request.ip,
        requestId: request.id,
        // Which fields changed, never the key itself.
        details: { changed: Object.keys(body), resumed },
      });
      return { ...view(row), access_check: access, resumed };
    },
  );

  server.post<{ Params: Static<typeof NameParam> }>(
    '/servers/:name/resume',
    { schema: { params: NameParam } },
    async (request) => {
      const row = await resumeServer(app, await getServer(app, request.params.name));
      await audit(app.db.kysely, app.clock.nowMs(), {
        actorType: 'admin',
        actorId: request.admin?.adminId ?? null,
        action: 'server.resume',
        targetType: 'server',
        targetId: row.id,
        ip: request.ip,
        requestId: request.id,
      });
      return view(row);
    },
  );

  server.delete<{ Params: Static<typeof NameParam> }>(
    '/servers/:name',
    { schema: { params: NameParam } },
    async (request, reply) => {
      const row = await getServer(app, request.params.name);
      await removeServer(app, request.params.name);
      await audit(app.db.kysely, app.clock.nowMs(), {
        actorType: 'admin',
        actorId: request.admin?.adminId ?? null,
        action: 'server.remove',
        targetType: 'server',
        targetId: row.id,
        ip: request.ip,
        requestId: request.id,
      });
      return reply.code(204).send();
    },
  );

  server.post<{ Params: Static<typeof NameParam> }>(
    '/servers/:name/check',
    { schema: { params: NameParam } },
    async (request) => {
      const results = await checkServer(app, await getServer(app, request.params.name));
      return { ok: results.every((r) => r.ok), results };
    },
  );

  server.post<{ Params: Static<typeof NameParam>; Body: Static<typeof CallBody> }>(
    '/servers/:name/call',
    { schema: { params: NameParam, body: CallBody } },
    async (request) => callPanel(app, await getServer(app, request.params.name), request.body.cmd, request.body.args),
  );

  server.post<{ Params: Static<typeof NameParam>; Body: { package?: string } }>(
    '/servers/:name/acceptance',
    {
      schema: {
        params: NameParam,
        body: Type.Object(
          { package: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const steps = await runAcceptance(app, await getServer(app, request.params.name), {
        ...(request.body?.package ? { packageName: request.body.package } : {}),
      });
      return { ok: steps.every((s) => s.ok), steps };
    },
  );
}
