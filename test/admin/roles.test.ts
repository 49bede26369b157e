import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routePermission } from '../../src/admin/route.js';
import { adminApiRoutes } from '../../src/admin/routes.js';
import type { AnyRouteSpec } from '../../src/platform/http/route.js';
import { ROLES, type Role, rolesFor } from '../../src/staff/roles.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicHeader, newAdmin } from '../helpers/factories.js';

/**
 * Staff roles on every Admin API route, generated from the route list like the security suite:
 * each role calls each route, and the guard lets it through or answers 403 `forbidden_role` as
 * the route's declared permission says. The policy below pins who may change what; a route that
 * changes state (or reads more than every role may) and is not listed here fails until someone
 * decides who may call it.
 */
const label = (r: AnyRouteSpec) => `${r.method} ${r.path}`;
const guarded = adminApiRoutes.filter((r) => r.auth !== 'none');

const ALL = 'owner billing support read_only';
/** Every route not open to all roles, and every change, with the roles that may call it. */
const POLICY: Record<string, string> = {
  // your own session and two-factor enrolment
  adminLogout: ALL,
  adminGetSession: ALL,
  adminStartTotpEnrolment: ALL,
  adminConfirmTotpEnrolment: ALL,
  // owner only: staff, settings, servers and their keys
  adminListStaff: 'owner',
  adminCreateStaff: 'owner',
  adminUpdateStaff: 'owner',
  adminResetStaffTotp: 'owner',
  adminSendStaffPasswordReset: 'owner',
  adminUpdateUserApiSettings: 'owner',
  adminUpdateSettings: 'owner',
  adminUpdateUserApiRoute: 'owner',
  adminAddUserApiAlias: 'owner',
  adminUpdateUserApiAlias: 'owner',
  adminRemoveUserApiAlias: 'owner',
  adminAddServer: 'owner',
  adminUpdateServer: 'owner',
  adminResumeServer: 'owner',
  adminPauseServer: 'owner',
  adminRemoveServer: 'owner',
  adminCallServer: 'owner',
  adminRunServerAcceptance: 'owner',
  adminCheckServer: 'owner support',
  // the request log holds what clients sent: not for billing or read-only staff
  adminSearchUserApiLog: 'owner support',
  adminExportUserApiLog: 'owner support',
  adminGetUserApiLogEntry: 'owner support',
  // clients: billing and support; credit: billing only
  adminUpdateClient: 'owner billing support',
  adminSuspendClient: 'owner billing support',
  adminUnsuspendClient: 'owner billing support',
  adminCloseClient: 'owner billing support',
  // emailing a client a reset code is account support: every role that may change a client
  adminSendClientPasswordReset: 'owner billing support',
  adminChangeClientCredit: 'owner billing',
  // money: billing
  adminCreateInvoice: 'owner billing',
  adminVoidInvoice: 'owner billing',
  adminRefundInvoice: 'owner billing',
  adminMarkInvoicePaid: 'owner billing',
  adminRecordPayment: 'owner billing',
  adminRefundStripePayment: 'owner billing',
  // email: messages hold clients' personal data (and reset codes); templates are settings
  adminListMail: 'owner billing support',
  adminListWebhooks: 'owner billing support',
  adminListWebhookDeliveries: 'owner billing support',
  adminGetMail: 'owner billing support',
  adminRetryMail: 'owner billing support',
  adminUpdateMailTemplate: 'owner',
  adminResetMailTemplate: 'owner',
  adminPreviewMailTemplate: ALL,
  // a test message goes out through the provider's mail server: part of setting it up
  adminSendTestMail: 'owner',
  adminRunBilling: 'owner billing',
  adminCreateCategory: 'owner billing',
  adminUpdateCategory: 'owner billing',
  adminCreateProduct: 'owner billing',
  adminUpdateProduct: 'owner billing',
  adminEnableProduct: 'owner billing',
  adminDisableProduct: 'owner billing',
  adminUpdateServiceBilling: 'owner billing',
  adminUpgradeService: 'owner billing',
  adminChangeServiceBillingCycle: 'owner billing',
  // an estimate computes and changes nothing
  adminEstimateServiceUpgrade: ALL,
  // what happens on the panels: support
  adminRequestServiceAction: 'owner support',
  adminRetryJob: 'owner support',
  adminCancelJob: 'owner support',
};

function urlOf(spec: AnyRouteSpec): string {
  const path = spec.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const property = spec.params?.properties?.[name] as { examples?: unknown[] } | undefined;
    return encodeURIComponent(String(property?.examples?.[0] ?? 'x'));
  });
  return `/admin/api/v1${path}`;
}

describe('staff roles on every Admin API route', () => {
  let t: TestApp;
  const auth = {} as Record<Role, string>;

  beforeAll(async () => {
    t = await createTestApp();
    for (const role of ROLES) {
      await newAdmin(t.app, { email: `${role.replace('_', '-')}@example.com`, password: 'admin-password-1', role });
      auth[role] = basicHeader(`${role.replace('_', '-')}@example.com`, 'admin-password-1');
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('every change, and every read not open to all roles, is in the reviewed policy', () => {
    for (const spec of guarded) {
      const roles = rolesFor(routePermission(spec)).join(' ');
      if (spec.method === 'GET' && roles === ALL && !(spec.operationId in POLICY)) continue;
      expect(POLICY[spec.operationId], `${label(spec)} (${spec.operationId}) needs a line in POLICY`).toBe(roles);
    }
  });

  it('owners may call everything; read-only staff change nothing but their own session', () => {
    for (const spec of guarded) {
      const roles = rolesFor(routePermission(spec));
      expect(roles, label(spec)).toContain('owner');
      const own = ['self', 'read'].includes(routePermission(spec));
      if (roles.includes('read_only')) expect(own, `${label(spec)} is open to read_only`).toBe(true);
    }
  });

  const cases = guarded.flatMap((spec) => ROLES.map((role) => [label(spec), role, spec] as const));
  it.each(cases)('%s as %s: allowed or 403 forbidden_role as declared', async (_l, role, spec) => {
    const res = await t.inject({
      method: spec.method,
      url: urlOf(spec),
      headers: { authorization: auth[role], ...(spec.body ? { 'content-type': 'application/json' } : {}) },
      ...(spec.body ? { payload: '{}' } : {}),
    });
    const allowed = rolesFor(routePermission(spec));
    if (allowed.includes(role)) {
      // Past the guard: whatever the handler or validation answers, it is not a role refusal.
      expect(res.statusCode === 403 ? res.json().code : res.statusCode).not.toBe('forbidden_role');
      expect([401, 403]).not.toContain(res.statusCode);
    } else {
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const body = res.json();
      expect(body.code).toBe('forbidden_role');
      for (const r of allowed) expect(body.detail).toContain(r);
      expect(body.detail).toContain(`you are ${role}`);
    }
  });

  it('a role is enforced on the admin area’s session too, and refuses before the body is read', async () => {
    const login = await t.inject({
      method: 'POST',
      url: '/admin/api/v1/session',
      payload: { email: 'support@example.com', password: 'admin-password-1' },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json().role).toBe('support');
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const res = await t.inject({
      method: 'POST',
      url: '/admin/api/v1/clients/cli_x/credit',
      headers: { cookie, 'x-csrf-token': login.json().csrf_token, 'content-type': 'application/json' },
      payload: '{"broken": ',
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('forbidden_role');
  });

  it('the Admin API’s OpenAPI document names the roles of each operation', async () => {
    const doc = (
      await t.inject({ method: 'GET', url: '/admin/api/v1/openapi.json', headers: { authorization: auth.read_only } })
    ).json();
    const op = doc.paths['/clients/{id}/credit'].post;
    expect(op['x-portico-roles']).toEqual(['owner', 'billing']);
    expect(op.description).toContain('**Roles:** owner, billing');
    expect(Object.keys(op.responses)).toContain('403');
  });
});
