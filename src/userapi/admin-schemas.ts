import { Type } from '@sinclair/typebox';
import { TEXT_BLOCK_PATTERN } from '../platform/http/checks.js';
import { NullableString, NullableTextLine, TextBlock, TextLine, Timestamp } from '../platform/http/schemas.js';
import { ENTRY_ID_PATTERN } from '../requestlog/search.js';

/** The schemas of the User API's admin routes (src/userapi/admin-api.ts). */
export const Setting = Type.Object(
  {
    key: Type.String({ examples: ['userapi.logging'] }),
    value: Type.String({ description: 'As stored (or the default), in the form `settings set` takes.' }),
    isDefault: Type.Boolean(),
    description: Type.String(),
  },
  { additionalProperties: false },
);
export const Settings = Type.Object({ items: Type.Array(Setting) }, { additionalProperties: false });
// The docs intro is a block of text; every other value is one line, which TextBlock also allows.
export const SettingsPatch = Type.Record(Type.String({ maxLength: 100 }), TextBlock({ maxLength: 20000 }), {
  examples: [{ 'userapi.logging': 'on' }],
});

/** What the admin can change on a route or an alias; null goes back to the default. */
export const RouteFields = {
  enabled: Type.Optional(Type.Boolean()),
  name: Type.Optional(NullableTextLine({ maxLength: 100 })),
  category: Type.Optional(NullableTextLine({ maxLength: 100 })),
  description: Type.Optional(NullableString({ maxLength: 5000, pattern: TEXT_BLOCK_PATTERN })),
};
export const RoutePatch = Type.Object(RouteFields, { additionalProperties: false, minProperties: 1 });
export const NewAlias = Type.Object(
  { path: TextLine({ minLength: 2, maxLength: 200, examples: ['/my-services'] }), ...RouteFields },
  { additionalProperties: false },
);
export const OperationParam = Type.Object(
  { operationId: Type.String({ pattern: '^[A-Za-z0-9_]{1,100}$', examples: ['listServices'] }) },
  { additionalProperties: false },
);
export const AliasQuery = Type.Object(
  { path: TextLine({ minLength: 2, maxLength: 200, examples: ['/my-services'] }) },
  { additionalProperties: false },
);

export const AliasView = Type.Object(
  {
    path: Type.String(),
    operation_id: Type.String(),
    method: Type.String(),
    target: Type.String({ description: 'The operationId of the route it calls.' }),
    target_path: Type.String(),
    enabled: Type.Boolean(),
    name: Type.String(),
    category: Type.String(),
    description: Type.String(),
    default_name: Type.String(),
    default_category: Type.String(),
    default_description: Type.String(),
  },
  { additionalProperties: false },
);
export const RouteView = Type.Object(
  {
    operation_id: Type.String(),
    method: Type.String(),
    path: Type.String(),
    enabled: Type.Boolean(),
    name: Type.String(),
    category: Type.String(),
    description: Type.String(),
    default_name: Type.String(),
    default_category: Type.String(),
    default_description: Type.String(),
    aliases: Type.Array(AliasView),
  },
  { additionalProperties: false },
);

export const LogQuery = Type.Object(
  {
    client_id: Type.Optional(TextLine({ maxLength: 40 })),
    email: Type.Optional(TextLine({ minLength: 1, maxLength: 254 })),
    route: Type.Optional(TextLine({ maxLength: 200 })),
    status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
    ip: Type.Optional(TextLine({ maxLength: 64 })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    before: Type.Optional(Type.String({ maxLength: 40, description: 'The `next_before` of the previous page.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export const LogClient = Type.Object(
  { id: Type.String(), name: Type.String(), email: Type.String() },
  { additionalProperties: false },
);
export const entryFields = {
  id: Type.String({ pattern: ENTRY_ID_PATTERN }),
  at: Timestamp,
  method: Type.String(),
  route: NullableString({ description: 'The operationId of the route called, null for an unknown path.' }),
  path: Type.String(),
  status: Type.Integer(),
  duration_ms: Type.Integer(),
  ip: Type.String(),
  client_id: NullableString(),
  client: Type.Union([LogClient, Type.Null()]),
  request_id: Type.String(),
};
export const LogPage = Type.Object(
  {
    items: Type.Array(Type.Object(entryFields, { additionalProperties: false })),
    next_before: NullableString({ description: 'Pass as `before` for the next page; null on the last one.' }),
  },
  { additionalProperties: false },
);
export const LogEntry = Type.Object(
  {
    ...entryFields,
    query: NullableString(),
    request_headers: Type.Record(Type.String(), Type.String()),
    request_body: NullableString(),
    response_body: NullableString(),
  },
  { additionalProperties: false },
);
