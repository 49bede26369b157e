import type { TSchema } from '@sinclair/typebox';
import type { AppContext } from '../app-context.js';
import { ERROR_CODES, type ErrorCode, PROBLEM_TYPE_BASE } from '../platform/http/errors.js';
import type { AnyRouteSpec } from '../platform/http/route.js';
import { exampleId } from '../platform/http/schemas.js';
import type { AuthMethod } from '../settings/definitions.js';
import { API_PREFIX, type EffectiveAlias, type EffectiveRoute } from './route-table.js';

/**
 * The OpenAPI 3.1 document, built on each request from the route declarations and the admin's
 * current overrides (disabled routes vanish, renamed ones show their name, aliases appear as their
 * own entries). Built here rather than by @fastify/swagger because aliases are URL rewrites, not
 * Fastify routes, and the document must change without a restart (docs/adr/0002).
 */
type Json = Record<string, unknown>;

const SECURITY_SCHEMES: Record<AuthMethod, [string, Json]> = {
  basic: ['basicAuth', { type: 'http', scheme: 'basic', description: 'Your account email and password.' }],
  jwt: [
    'bearerJwt',
    { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from `POST /auth/login`.' },
  ],
  token: [
    'apiToken',
    { type: 'http', scheme: 'bearer', bearerFormat: 'ptk_…', description: 'A personal API token from `POST /tokens`.' },
  ],
};

/** What each built-in category (a tag in the document) is for. */
const CATEGORY_DESCRIPTIONS: Record<string, string> = {
  Authentication: 'Log in for a short-lived access token (JWT), refresh it, and log out.',
  'API tokens': 'Personal API tokens for scripts: create one (read-only or read-write), list yours, revoke one.',
  Account: 'Your profile and your password.',
  Catalog: 'The products on sale, their categories and their prices for each billing cycle.',
  Services: 'What you bought: each hosting service with its status and next due date.',
  Hosting: 'Your hosting account on the server: usage, panel login, domains, databases, cancellation.',
  Billing: 'Your invoices, and paying them from your credit balance.',
  Orders: 'Order hosting, and follow the operations that set it up on the server.',
};

/** A category the admin made up gets a description that lists what it holds. */
function tagDescription(category: string, names: readonly string[]): string {
  const known = CATEGORY_DESCRIPTIONS[category];
  if (known) return known;
  return `${names.join('; ')}.`;
}

/** Serialisable copy of a TypeBox schema (drops TypeBox's symbol keys). */
function plain(schema: TSchema): Json {
  return JSON.parse(JSON.stringify(schema)) as Json;
}

function parameters(spec: AnyRouteSpec): Json[] {
  const out: Json[] = [];
  for (const [location, schema] of [
    ['path', spec.params],
    ['query', spec.query],
  ] as const) {
    if (!schema) continue;
    const object = plain(schema) as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      const { description, ...rest } = property;
      out.push({
        name,
        in: location,
        required: location === 'path' || (object.required ?? []).includes(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  return out;
}

function errorCodes(spec: AnyRouteSpec): ErrorCode[] {
  const codes = new Set<ErrorCode>(spec.errors ?? []);
  if (spec.params || spec.query || spec.body) codes.add('validation_failed');
  if (spec.body) {
    codes.add('malformed_json');
    codes.add('payload_too_large');
  }
  if (spec.auth === 'client') {
    codes.add('unauthorized');
    if (spec.method !== 'GET') codes.add('insufficient_scope');
  }
  if (spec.params) codes.add('not_found');
  if (spec.idempotent) {
    codes.add('idempotency_key_reused');
    codes.add('conflict');
  }
  codes.add('rate_limited');
  codes.add('internal_error');
  return [...codes];
}

function errorResponses(spec: AnyRouteSpec): Json {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodes(spec)) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Json = {};
  for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    const first = codes[0]!;
    out[String(status)] = {
      description: codes.map((c) => `\`${c}\`: ${ERROR_CODES[c].title}`).join('; '),
      content: {
        'application/problem+json': {
          schema: { $ref: '#/components/schemas/Problem' },
          example: {
            type: `${PROBLEM_TYPE_BASE}${first.replaceAll('_', '-')}`,
            title: ERROR_CODES[first].title,
            status,
            detail: ERROR_CODES[first].title,
            instance: `${API_PREFIX}${spec.path}`,
            code: first,
            requestId: exampleId('request'),
          },
        },
      },
    };
  }
  return out;
}

/** An alias is documented as an entry of its own: its own operation id, name, category and description. */
function entry(route: EffectiveRoute, alias?: EffectiveAlias): Json {
  const { spec } = route;
  if (!alias)
    return {
      operationId: spec.operationId,
      summary: route.name,
      description: route.description,
      tags: [route.category],
    };
  // Pointing at the original only while it answers: an alias replacing a disabled route stands alone.
  const same = route.enabled ? `\n\nThe same operation as \`${spec.method} ${spec.path}\`.` : '';
  return {
    operationId: alias.operationId,
    summary: alias.name,
    description: `${alias.description}${same}`,
    tags: [alias.category],
  };
}

function operation(route: EffectiveRoute, methods: readonly AuthMethod[], alias?: EffectiveAlias): Json {
  const { spec } = route;
  const op: Json = {
    ...entry(route, alias),
    security: spec.auth === 'client' ? methods.map((m) => ({ [SECURITY_SCHEMES[m][0]]: [] })) : [],
  };
  const params = parameters(spec);
  if (spec.idempotent) {
    params.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Any unique string (a UUID). Retrying with the same key and body returns the first response instead of acting twice; the same key with another body is refused (422). Kept 24 hours.',
      schema: { type: 'string', maxLength: 255 },
    });
  }
  if (params.length) op.parameters = params;
  if (spec.body) {
    op.requestBody = { required: true, content: { 'application/json': { schema: plain(spec.body) } } };
  }
  const success: Json = { description: spec.response.description };
  if (spec.response.schema) success.content = { 'application/json': { schema: plain(spec.response.schema) } };
  op.responses = { [String(spec.response.status)]: success, ...errorResponses(spec) };
  return op;
}

const PROBLEM_SCHEMA: Json = {
  type: 'object',
  description: 'RFC 9457 problem details. `code` is one of a closed list; `errors` names each invalid field.',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string', enum: Object.keys(ERROR_CODES) },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string', examples: ['body.email'] }, message: { type: 'string' } },
      },
    },
  },
};

function description(app: AppContext): string {
  const s = app.settings.snapshot;
  const logo = s['userapi.docs.logo_url']
    ? `![${s['userapi.docs.company_name']}](${s['userapi.docs.logo_url']})\n\n`
    : '';
  const rule = s['userapi.rate_limit'];
  const limits = rule
    ? `\n\n**Rate limit:** ${rule.points} requests per ${rule.durationS} s per client (per IP before login). Every response carries \`RateLimit-Policy\` and \`RateLimit\` headers; over the limit you get \`429\` with \`Retry-After\`.`
    : '';
  return `${logo}${s['userapi.docs.intro']}${limits}\n\n**Errors** are \`application/problem+json\` with a stable \`code\`; every response carries \`X-Request-Id\` — quote it when asking for help.`;
}

export function buildOpenApiDocument(app: AppContext): Json {
  const s = app.settings.snapshot;
  const methods = s['userapi.auth_methods'];
  const paths: Record<string, Json> = {};
  const add = (path: string, method: string, op: Json) => {
    paths[path] = { ...(paths[path] ?? {}), [method.toLowerCase()]: op };
  };
  // Each tag's routes by docs name, for the description of a category the admin invented.
  const categories = new Map<string, string[]>();
  const tag = (category: string, name: string) => categories.set(category, [...(categories.get(category) ?? []), name]);
  for (const route of app.routes.all()) {
    if (route.enabled) {
      add(route.spec.path, route.spec.method, operation(route, methods));
      tag(route.category, route.name);
    }
    for (const alias of route.aliases.filter((a) => a.enabled)) {
      add(alias.path, route.spec.method, operation(route, methods, alias));
      tag(alias.category, alias.name);
    }
  }
  const tags = [...categories.keys()]
    .sort()
    .map((name) => ({ name, description: tagDescription(name, categories.get(name) ?? []) }));
  return {
    openapi: '3.1.0',
    info: {
      title: `${s['userapi.docs.company_name']} User API`,
      version: '1.0.0',
      description: description(app),
      // The document is generated by Portico, whose code (and so this description) is MIT-licensed.
      license: { name: 'MIT', identifier: 'MIT' },
      ...(s['userapi.docs.logo_url'] ? { 'x-logo': { url: s['userapi.docs.logo_url'] } } : {}),
    },
    servers: [{ url: app.config.publicUrl ? `${app.config.publicUrl}${API_PREFIX}` : API_PREFIX }],
    tags,
    paths,
    components: {
      securitySchemes: Object.fromEntries(methods.map((m) => SECURITY_SCHEMES[m])),
      schemas: { Problem: PROBLEM_SCHEMA },
    },
  };
}
