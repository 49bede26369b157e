import { Type } from '@sinclair/typebox';
import { defineAdminRoute } from '../admin/route.js';
import { NullableString, PageQuery, StringEnum, TextLine, Timestamp } from '../platform/http/schemas.js';
import { pageAudit } from './admin.js';

const ACTOR_TYPES = ['admin', 'client', 'system', 'cli'] as const;
const time = (text: string | undefined) => (text === undefined ? undefined : Date.parse(text));

const AuditEntry = Type.Object(
  {
    id: Type.String(),
    at: Timestamp,
    actor: Type.Object(
      {
        type: StringEnum(ACTOR_TYPES),
        id: NullableString(),
        email: NullableString({ description: 'The admin’s email when an admin acted' }),
      },
      { additionalProperties: false },
    ),
    action: Type.String({ examples: ['client.suspend'] }),
    target: Type.Union([
      Type.Object({ type: NullableString(), id: NullableString() }, { additionalProperties: false }),
      Type.Null(),
    ]),
    ip: NullableString(),
    request_id: NullableString(),
    details: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  },
  { additionalProperties: false },
);

export const auditAdminRoutes = [
  defineAdminRoute({
    method: 'GET',
    path: '/audit',
    operationId: 'adminListAuditLog',
    category: 'Audit',
    summary: 'Search the audit log',
    description:
      'Who did what to what, newest first. Filter by who (`actor_type`, `actor_id`), what (`action`, exact or a prefix such as `client.`; `target_type`, `target_id`) and when (`since` ≤ at < `until`, ISO 8601); page with `limit` and `cursor`.',
    auth: 'admin',
    query: Type.Object(
      {
        ...PageQuery,
        actor_type: Type.Optional(StringEnum(ACTOR_TYPES)),
        actor_id: Type.Optional(TextLine({ minLength: 1, maxLength: 100 })),
        action: Type.Optional(TextLine({ minLength: 1, maxLength: 100, examples: ['client.'] })),
        target_type: Type.Optional(TextLine({ minLength: 1, maxLength: 50, examples: ['service'] })),
        target_id: Type.Optional(TextLine({ minLength: 1, maxLength: 100 })),
        since: Type.Optional(Type.String({ format: 'date-time', description: 'From this time (ISO 8601)' })),
        until: Type.Optional(Type.String({ format: 'date-time', description: 'Before this time (ISO 8601)' })),
      },
      { additionalProperties: false },
    ),
    response: {
      status: 200,
      description: 'A page of entries.',
      schema: Type.Object(
        {
          items: Type.Array(AuditEntry),
          next_cursor: NullableString({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
        },
        { additionalProperties: false },
      ),
    },
    handler: async ({ query }, ctx) =>
      pageAudit(ctx.app, {
        actorType: query.actor_type,
        actorId: query.actor_id,
        action: query.action,
        targetType: query.target_type,
        targetId: query.target_id,
        sinceMs: time(query.since),
        untilMs: time(query.until),
        cursor: query.cursor,
        limit: query.limit ?? 20,
      }),
  }),
];
