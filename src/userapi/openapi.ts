import type { AppContext } from '../app-context.js';
import type { ErrorCode } from '../platform/http/errors.js';
import { inputErrorCodes, type Json, operationIo, PROBLEM_SCHEMA } from '../platform/http/openapi.js';
import { type AnyRouteSpec, routeScope } from '../platform/http/route.js';
import type { AuthMethod } from '../settings/definitions.js';
import { API_PREFIX, type EffectiveAlias, type EffectiveRoute } from './route-table.js';

/**
 * The OpenAPI 3.1 document, built on each request from the route declarations and the admin's
 * current overrides (disabled routes vanish, renamed ones show their name, aliases appear as their
 * own entries). Built here rather than by @fastify/swagger because aliases are URL rewrites, not
 * Fastify routes, and the document must change without a restart (docs/adr/0002).
 */
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

function errorCodes(spec: AnyRouteSpec): ErrorCode[] {
  const codes = new Set<ErrorCode>(spec.errors ?? []);
  for (const code of inputErrorCodes(spec)) codes.add(code);
  if (spec.auth === 'client') {
    codes.add('unauthorized');
    if (routeScope(spec) === 'write') codes.add('insufficient_scope');
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
  const extraParameters: Json[] = spec.idempotent
    ? [
        {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Any unique string (a UUID). Retrying with the same key and body returns the first response instead of acting twice; the same key with another body is refused (422). Kept 24 hours.',
          schema: { type: 'string', maxLength: 255 },
        },
      ]
    : [];
  return {
    ...entry(route, alias),
    security: spec.auth === 'client' ? methods.map((m) => ({ [SECURITY_SCHEMES[m][0]]: [] })) : [],
    ...operationIo(spec, { instance: `${API_PREFIX}${spec.path}`, errorCodes: errorCodes(spec), extraParameters }),
  };
}

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
