import { type AdminRouteContext, defineAdminRoute } from '../admin/route.js';
import { sendAdminReset } from '../auth/password-reset.js';
import { PasswordResetSent } from '../auth/schemas.js';
import { CreatedStaff, CreateStaffBody, StaffList, StaffMember, StaffParam, StaffPatch } from './schemas.js';
import { type Actor, changeStaff, createAdmin, listStaffViews, resetStaffTotp } from './staff.js';

/** Staff accounts in the Admin API (owners only): the same as `portico admin …`. */
const category = 'Staff';

function actorOf(ctx: AdminRouteContext): Actor {
  return { type: 'admin', id: ctx.principal.adminId, ip: ctx.ip, requestId: ctx.requestId };
}

export const staffAdminRoutes = [
  defineAdminRoute({
    method: 'GET',
    path: '/staff',
    operationId: 'adminListStaff',
    category,
    summary: 'List staff',
    description: 'Every staff account with its role, status and whether it uses two-factor login.',
    auth: 'admin',
    permission: 'staff',
    response: { status: 200, description: 'The staff.', schema: StaffList },
    handler: async (_input, ctx) => ({ items: await listStaffViews(ctx.app) }),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/staff',
    operationId: 'adminCreateStaff',
    category,
    summary: 'Create a staff member',
    description:
      'A staff account with its role. Without `password` one is generated and returned once in `initial_password` (there is no email invitation: hand it over safely). Roles in `admin.require_totp_for` set up two-factor login at their first login.',
    auth: 'admin',
    permission: 'staff',
    body: CreateStaffBody,
    response: { status: 201, description: 'Created.', schema: CreatedStaff },
    errors: ['conflict'],
    handler: async ({ body }, ctx) => {
      const created = await createAdmin(
        ctx.app,
        { email: body.email, name: body.name ?? '', password: body.password, role: body.role },
        actorOf(ctx),
      );
      return { staff: created.staff, initial_password: created.initialPassword };
    },
  }),
  defineAdminRoute({
    method: 'PATCH',
    path: '/staff/{id}',
    operationId: 'adminUpdateStaff',
    category,
    summary: 'Change a staff member’s role or status',
    description:
      'A new role takes effect on their next request. Disabling stops their logins and ends their sessions. The last active owner can be neither demoted nor disabled (409): make another owner first.',
    auth: 'admin',
    permission: 'staff',
    params: StaffParam,
    body: StaffPatch,
    response: { status: 200, description: 'The staff member after the change.', schema: StaffMember },
    errors: ['not_found', 'conflict'],
    handler: async ({ params, body }, ctx) => changeStaff(ctx.app, actorOf(ctx), params.id, body),
  }),
  defineAdminRoute({
    method: 'DELETE',
    path: '/staff/{id}/totp',
    operationId: 'adminResetStaffTotp',
    category,
    summary: 'Reset a staff member’s two-factor login',
    description:
      'For a lost phone and lost recovery codes: removes their secret and recovery codes and ends their sessions. They log in with their password and, if their role requires it, set up two-factor again before anything else.',
    auth: 'admin',
    permission: 'staff',
    params: StaffParam,
    response: { status: 200, description: 'The staff member, without two-factor login.', schema: StaffMember },
    errors: ['not_found'],
    handler: async ({ params }, ctx) => resetStaffTotp(ctx.app, actorOf(ctx), params.id),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/staff/{id}/password-reset',
    operationId: 'adminSendStaffPasswordReset',
    category,
    summary: 'Email a staff member a password reset code',
    description:
      'For a forgotten password: emails them a code, valid 30 minutes and usable once (it replaces any earlier one), to enter on the admin area’s “Forgot your password?” page. The code goes to them only, never in this answer, so email must be set up (409 otherwise: `portico admin reset-password` on the server). Their sessions end when they use it. Refused (409) for a disabled account.',
    auth: 'admin',
    permission: 'staff',
    params: StaffParam,
    response: { status: 202, description: 'The email is queued.', schema: PasswordResetSent },
    errors: ['not_found', 'conflict'],
    handler: async ({ params }, ctx) => {
      const sent = await sendAdminReset(ctx.app, actorOf(ctx), params.id);
      return { to: sent.to, expires_at: new Date(sent.expiresAtMs).toISOString() };
    },
  }),
];
