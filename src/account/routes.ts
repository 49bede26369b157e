import { defineRoute } from '../userapi/route.js';
import { changePassword, getAccount, patchAccount } from './account.js';
import { Account, AccountPatch, PasswordChange } from './schemas.js';

const CATEGORY = 'Account';

export const accountRoutes = [
  defineRoute({
    method: 'GET',
    path: '/account',
    operationId: 'getAccount',
    category: CATEGORY,
    summary: 'Get your account',
    description: 'Your profile and credit balance.',
    auth: 'client',
    response: { status: 200, description: 'Your account', schema: Account },
    handler: async (_input, ctx) => getAccount(ctx.app, ctx.principal.clientId),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/account',
    operationId: 'updateAccount',
    category: CATEGORY,
    summary: 'Update your profile',
    description: 'Change your name, company, phone or country. Send only the fields to change.',
    auth: 'client',
    body: AccountPatch,
    response: { status: 200, description: 'Your updated account', schema: Account },
    handler: async ({ body }, ctx) => patchAccount(ctx.app, ctx.principal.clientId, body),
  }),
  defineRoute({
    method: 'POST',
    path: '/account/password',
    operationId: 'changePassword',
    category: CATEGORY,
    summary: 'Change your password',
    description:
      'Needs your current password. Ends all your login sessions: access and refresh tokens stop working and you log in again. Personal API tokens keep working.',
    auth: 'client',
    body: PasswordChange,
    errors: ['invalid_request'],
    response: { status: 204, description: 'Password changed' },
    handler: async ({ body }, ctx) => {
      await changePassword(ctx.app, ctx.principal.clientId, {
        currentPassword: body.current_password,
        newPassword: body.new_password,
      });
      return undefined;
    },
  }),
];
