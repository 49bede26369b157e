import type { AppContext } from '../app-context.js';
import type { ErrorCode } from '../platform/http/errors.js';
import { inputErrorCodes, type Json, operationIo, PROBLEM_SCHEMA } from '../platform/http/openapi.js';
import { type AnyRouteSpec, routeScope } from '../platform/http/route.js';
import { ROLES, rolesFor } from '../staff/roles.js';
import { ADMIN_API_PREFIX } from './register.js';
import { type AdminRouteSpec, routePermission } from './route.js';
import { COOKIE } from './sessions.js';

/**
 * The Admin API's OpenAPI 3.1 document, built from its route declarations like the User API's
 * (src/userapi/openapi.ts) but without run-time overrides: admin routes cannot be renamed,
 * disabled or aliased. Served to admins at /admin/api/v1/openapi.json and committed in
 * docs/openapi/admin-api.json.
 */
const CATEGORY_DESCRIPTIONS: Record<string, string> = {
  Session:
    'Log in to the admin area (a cookie and a CSRF token, a two-factor code for staff who use it), see who you are, set up two-factor login, log out; this document.',
  Staff: 'Staff accounts (owners only): create, change role, disable or enable, reset two-factor login.',
  Servers: 'The HestiaCP panels Portico provisions on: add, change, check, call, run the acceptance test, remove.',
  Billing: 'Payments received outside Portico.',
  Jobs: 'The provisioning queue: watch jobs, retry a failed one, cancel a queued one.',
  Services: 'Act on what a client bought: suspend, unsuspend, terminate, re-provision, change package or password.',
  Settings:
    'The business settings: billing automation, payment methods and Stripe keys (write-only), email and branding.',
  'User API': 'The User API’s settings, its route table and aliases, and its request log.',
};

const SECURITY_SCHEMES: Json = {
  adminBasic: {
    type: 'http',
    scheme: 'basic',
    description: 'An admin’s email and password (`portico admin create`). For scripts.',
  },
  adminSession: {
    type: 'apiKey',
    in: 'cookie',
    name: COOKIE,
    description: 'The admin area’s session cookie, set by `POST /session`.',
  },
  csrfToken: {
    type: 'apiKey',
    in: 'header',
    name: 'X-CSRF-Token',
    description: 'The `csrf_token` of the session; a change made with the session cookie must carry it.',
  },
};

function errorCodes(spec: AdminRouteSpec): ErrorCode[] {
  const codes = new Set<ErrorCode>(spec.errors ?? []);
  for (const code of inputErrorCodes(spec)) codes.add(code);
  codes.add('address_not_allowed');
  if (spec.auth !== 'none') {
    codes.add('unauthorized');
    codes.add('login_throttled');
    if (routeScope(spec) === 'write') codes.add('csrf_failed');
    if (spec.auth !== 'none' && rolesFor(routePermission(spec)).length < ROLES.length) codes.add('forbidden_role');
    if (routePermission(spec) !== 'self') codes.add('totp_enrolment_required');
    else codes.add('totp_required');
  }
  codes.add('internal_error');
  return [...codes];
}

function security(spec: AnyRouteSpec): Json[] {
  if (spec.auth === 'none') return [];
  const session = routeScope(spec) === 'write' ? { adminSession: [], csrfToken: [] } : { adminSession: [] };
  return [{ adminBasic: [] }, session];
}

/** Who may call it: the roles of the route's permission, in the description and as `x-portico-roles`. */
function rolesNote(spec: AdminRouteSpec): { text: string; roles: readonly string[] } | undefined {
  if (spec.auth === 'none') return undefined;
  const roles = rolesFor(routePermission(spec));
  return { text: `\n\n**Roles:** ${roles.join(', ')} (permission \`${routePermission(spec)}\`).`, roles };
}

function operation(spec: AdminRouteSpec): Json {
  const note = rolesNote(spec);
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    description: `${spec.description}${note?.text ?? ''}`,
    ...(note ? { 'x-portico-roles': note.roles } : {}),
    tags: [spec.category],
    security: security(spec),
    ...operationIo(spec, { instance: `${ADMIN_API_PREFIX}${spec.path}`, errorCodes: errorCodes(spec) }),
  };
}

export function buildAdminOpenApiDocument(
  app: Pick<AppContext, 'settings' | 'config'>,
  specs: readonly AdminRouteSpec[],
): { openapi: '3.1.0' } & Json {
  const paths: Record<string, Json> = {};
  for (const spec of specs) {
    paths[spec.path] = { ...(paths[spec.path] ?? {}), [spec.method.toLowerCase()]: operation(spec) };
  }
  const tags = [...new Set(specs.map((s) => s.category))]
    .sort()
    .map((name) => ({ name, description: CATEGORY_DESCRIPTIONS[name] ?? name }));
  return {
    openapi: '3.1.0',
    info: {
      title: `${app.settings.snapshot['userapi.docs.company_name']} Admin API`,
      version: '1.0.0',
      description:
        'What the admin area does, for scripts: servers, jobs, services, payments and the User API’s settings, routes and request log. Authenticate with HTTP Basic (a staff member’s email and password; refused for staff with two-factor login), or with the admin area’s session cookie plus its `X-CSRF-Token` on every change. `admin.allowed_ips` can limit it to listed addresses.\n\n**Roles:** each staff member is an owner, billing, support or read_only; each operation names the roles that may call it (`x-portico-roles`), others get 403 `forbidden_role`. Staff whose role is in `admin.require_totp_for` (default: owner) must set up two-factor login first: until then every operation but their session and the enrolment answers 403 `totp_enrolment_required`.\n\n**Errors** are `application/problem+json` with a stable `code`; every response carries `X-Request-Id`.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: app.config.publicUrl ? `${app.config.publicUrl}${ADMIN_API_PREFIX}` : ADMIN_API_PREFIX }],
    tags,
    paths,
    components: { securitySchemes: SECURITY_SCHEMES, schemas: { Problem: PROBLEM_SCHEMA } },
  };
}
