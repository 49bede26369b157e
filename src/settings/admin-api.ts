import { Type } from '@sinclair/typebox';
import { defineAdminRoute } from '../admin/route.js';
import { NullableString, StringEnum, TextBlock } from '../platform/http/schemas.js';
import { businessSettings, SETTING_GROUP_NAMES, updateBusinessSettings } from './admin.js';

const category = 'Settings';

const BusinessSetting = Type.Object(
  {
    key: Type.String({ examples: ['billing.suspend_after_days'] }),
    group: StringEnum(SETTING_GROUP_NAMES, { description: 'The Settings page it belongs to.' }),
    value: NullableString({
      description: 'As stored (or the default), in the form `settings set` takes; null for a write-only setting.',
    }),
    is_default: Type.Boolean(),
    write_only: Type.Boolean({
      description:
        'A credential (the Stripe keys, the SMTP URL with its password): its value is never answered, only whether it is set.',
    }),
    is_set: Type.Boolean({ description: 'The value is not empty.' }),
    redacted: NullableString({
      description: 'The SMTP URL without its password (smtps://user@mail.example.com:465); null otherwise.',
    }),
    description: Type.String(),
  },
  { additionalProperties: false },
);
const BusinessSettings = Type.Object({ items: Type.Array(BusinessSetting) }, { additionalProperties: false });
const BusinessSettingsPatch = Type.Record(Type.String({ maxLength: 100 }), TextBlock({ maxLength: 20000 }), {
  minProperties: 1,
  examples: [{ 'billing.suspend_after_days': '5', 'payments.bank_transfer': 'on' }],
});

/** The Settings pages of the admin area: billing automation, payments, email and branding. */
export const settingsAdminRoutes = [
  defineAdminRoute({
    method: 'GET',
    path: '/settings',
    operationId: 'adminListSettings',
    category,
    summary: 'List the business settings',
    description:
      'Billing automation, payments, email and branding settings, each with its group, current value and what it means. Credentials (the Stripe keys, the SMTP URL) are write-only: the answer says whether one is set, never its value.',
    auth: 'admin',
    response: { status: 200, description: 'The settings.', schema: BusinessSettings },
    handler: async (_input, ctx) => businessSettings(ctx.app),
  }),
  defineAdminRoute({
    method: 'PATCH',
    path: '/settings',
    operationId: 'adminUpdateSettings',
    category,
    summary: 'Change business settings',
    description:
      'Sets each given key to its value (as `portico settings set` takes it; an empty string clears a credential). Every key and value is checked first, with `errors[]` naming each wrong one as `body.<key>`: with one wrong, nothing changes. Card payments cannot be switched on without the Stripe secret key, and an invoice logo (company.logo_path) must be a PNG or JPEG file the server can read. Every instance follows within a second.',
    auth: 'admin',
    permission: 'settings',
    body: BusinessSettingsPatch,
    errors: ['validation_failed'],
    response: { status: 200, description: 'The settings after the change.', schema: BusinessSettings },
    handler: async ({ body }, ctx) => {
      await updateBusinessSettings(ctx.app, body, {
        id: ctx.principal.adminId,
        ip: ctx.ip,
        requestId: ctx.requestId,
      });
      return businessSettings(ctx.app);
    },
  }),
];
