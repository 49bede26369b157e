import { Type } from '@sinclair/typebox';
import { defineAdminRoute } from '../admin/route.js';
import {
  IdParam,
  NullableString,
  NullableTimestamp,
  StringEnum,
  TextBlock,
  Timestamp,
} from '../platform/http/schemas.js';
import {
  getMail,
  getTemplate,
  listMail,
  listTemplates,
  MAIL_STATES,
  previewTemplate,
  resetTemplate,
  retryMail,
  updateTemplate,
} from './mail.js';
import { TEMPLATE_NAMES } from './templates.js';
import { sendTestMessage } from './test-message.js';

const CATEGORY = 'Email';
const MessageParam = Type.Object({ id: IdParam('mail', 'Message id') }, { additionalProperties: false });
const TemplateParam = Type.Object(
  { name: StringEnum(TEMPLATE_NAMES, { description: 'Template name' }) },
  { additionalProperties: false },
);

const messageFields = {
  id: IdParam('mail', 'Message id'),
  template: Type.String({ examples: ['invoice_issued'] }),
  to: Type.String({ examples: ['ada@example.com'] }),
  subject: Type.String(),
  state: StringEnum(MAIL_STATES, {
    description:
      'queued: to send; sending: an attempt is under way (or its worker died: it is sent again, same Message-ID); sent; failed: gave up; unsent: no SMTP configured.',
  }),
  attempts: Type.Integer(),
  last_error: NullableString({ description: 'Why the last attempt did not deliver, and what to do.' }),
  client_id: NullableString(),
  event_id: NullableString(),
  created_at: Timestamp,
  last_attempt_at: NullableTimestamp,
  sent_at: NullableTimestamp,
};
const Message = Type.Object(messageFields, { additionalProperties: false });
const MessageDetail = Type.Object(
  {
    ...messageFields,
    text: Type.String(),
    html: Type.String(),
    attachments: Type.Array(
      Type.Object({ kind: Type.String(), invoice_id: Type.String() }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
const Template = Type.Object(
  {
    name: StringEnum(TEMPLATE_NAMES),
    description: Type.String(),
    customized: Type.Boolean({ description: 'True when an admin edited it; reset returns it to the default.' }),
    subject: Type.String(),
    text: Type.String(),
    html: Type.String(),
    placeholders: Type.Array(Type.String(), { description: 'What {{…}} may name in this template.' }),
    updated_at: NullableTimestamp,
  },
  { additionalProperties: false },
);
const TemplateEdit = Type.Object(
  {
    subject: Type.Optional(TextBlock({ minLength: 1, maxLength: 500 })),
    text: Type.Optional(TextBlock({ minLength: 1, maxLength: 50_000 })),
    html: Type.Optional(TextBlock({ minLength: 1, maxLength: 100_000 })),
  },
  { additionalProperties: false },
);
const Rendered = Type.Object(
  { subject: Type.String(), text: Type.String(), html: Type.String() },
  { additionalProperties: false },
);

/** Email in the Admin API: the messages (with their delivery state) and the templates. */
export const mailAdminRoutes = [
  defineAdminRoute({
    method: 'GET',
    path: '/mail/messages',
    operationId: 'adminListMail',
    permission: 'clients',
    category: CATEGORY,
    summary: 'List email messages',
    description:
      'Messages newest first, with their delivery state, attempts and last error; filter by state, client or recipient.',
    auth: 'admin',
    query: Type.Object(
      {
        state: Type.Optional(StringEnum(MAIL_STATES)),
        client_id: Type.Optional(IdParam('client', 'Only this client’s messages')),
        to: Type.Optional(Type.String({ maxLength: 320, description: 'Only messages to this address' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
      },
      { additionalProperties: false },
    ),
    response: {
      status: 200,
      description: 'The messages.',
      schema: Type.Object({ items: Type.Array(Message) }, { additionalProperties: false }),
    },
    handler: async ({ query }, ctx) => ({
      items: await listMail(ctx.app, {
        state: query.state,
        clientId: query.client_id,
        to: query.to,
        limit: query.limit,
      }),
    }),
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/mail/messages/{id}',
    operationId: 'adminGetMail',
    permission: 'clients',
    category: CATEGORY,
    summary: 'Get an email message',
    description:
      'A message as it is sent: subject, text and HTML bodies, attachments, delivery state. The code of a password reset email is hidden: whoever read it could set that account’s password.',
    auth: 'admin',
    params: MessageParam,
    errors: ['not_found'],
    response: { status: 200, description: 'The message.', schema: MessageDetail },
    handler: async ({ params }, ctx) => getMail(ctx.app, params.id, { hideResetCodes: true }),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/mail/messages/{id}/retry',
    operationId: 'adminRetryMail',
    permission: 'clients',
    category: CATEGORY,
    summary: 'Send an unsent or failed message again',
    description: 'Queues the message again with its attempts reset, e.g. after configuring email.smtp_url.',
    auth: 'admin',
    params: MessageParam,
    errors: ['not_found', 'conflict'],
    response: { status: 202, description: 'Queued.', schema: Message },
    handler: async ({ params }, ctx) => retryMail(ctx.app, params.id),
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/mail/templates',
    operationId: 'adminListMailTemplates',
    category: CATEGORY,
    summary: 'List email templates',
    description:
      'Every template as it is used now (the admin’s edit or the default), with the placeholders it may use.',
    auth: 'admin',
    response: {
      status: 200,
      description: 'The templates.',
      schema: Type.Object({ items: Type.Array(Template) }, { additionalProperties: false }),
    },
    handler: async (_input, ctx) => ({ items: await listTemplates(ctx.app) }),
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/mail/templates/{name}',
    operationId: 'adminGetMailTemplate',
    category: CATEGORY,
    summary: 'Get an email template',
    description: 'One template as it is used now.',
    auth: 'admin',
    params: TemplateParam,
    errors: ['not_found'],
    response: { status: 200, description: 'The template.', schema: Template },
    handler: async ({ params }, ctx) => getTemplate(ctx.app, params.name),
  }),
  defineAdminRoute({
    method: 'PATCH',
    path: '/mail/templates/{name}',
    operationId: 'adminUpdateMailTemplate',
    permission: 'settings',
    category: CATEGORY,
    summary: 'Edit an email template',
    description:
      'Replaces the parts given. Placeholders are `{{client.name}}` (HTML-escaped in the HTML body) and `{{#if path}}…{{/if}}`; one the template has no data for is refused. Messages already queued keep their text.',
    auth: 'admin',
    params: TemplateParam,
    body: TemplateEdit,
    errors: ['not_found', 'validation_failed'],
    response: { status: 200, description: 'The template as saved.', schema: Template },
    handler: async ({ params, body }, ctx) => updateTemplate(ctx.app, params.name, body),
  }),
  defineAdminRoute({
    method: 'DELETE',
    path: '/mail/templates/{name}',
    operationId: 'adminResetMailTemplate',
    permission: 'settings',
    category: CATEGORY,
    summary: 'Reset an email template to its default',
    description: 'Drops the admin’s edit: the default in code is used again.',
    auth: 'admin',
    params: TemplateParam,
    errors: ['not_found'],
    response: { status: 200, description: 'The default template.', schema: Template },
    handler: async ({ params }, ctx) => resetTemplate(ctx.app, params.name),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/mail/templates/{name}/preview',
    operationId: 'adminPreviewMailTemplate',
    permission: 'read',
    category: CATEGORY,
    summary: 'Preview an email template with sample data',
    description:
      'The message the template makes with sample data and this provider’s branding; parts given in the body are previewed instead of the saved ones, without saving.',
    auth: 'admin',
    params: TemplateParam,
    body: TemplateEdit,
    errors: ['not_found'],
    response: { status: 200, description: 'The rendered message.', schema: Rendered },
    handler: async ({ params, body }, ctx) => previewTemplate(ctx.app, params.name, body),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/mail/test-message',
    operationId: 'adminSendTestMail',
    permission: 'settings',
    category: CATEGORY,
    summary: 'Send a test message',
    description:
      'Sends one message to the given address through the SMTP server configured now (email.smtp_url, email.from), at once and not through the queue, and answers with the server’s reply; 502 `mail_server_error` carries the server’s refusal or why it could not be reached, 409 `conflict` says what is not configured yet.',
    auth: 'admin',
    body: Type.Object(
      { to: Type.String({ format: 'email', maxLength: 320, examples: ['owner@example.com'] }) },
      { additionalProperties: false },
    ),
    errors: ['validation_failed', 'conflict', 'mail_server_error'],
    response: {
      status: 200,
      description: 'The mail server accepted the message.',
      schema: Type.Object(
        {
          to: Type.String(),
          message_id: Type.String({ examples: ['<test_m4x1k2@example.com>'] }),
          response: Type.String({ description: 'What the mail server answered, e.g. `250 OK: queued`.' }),
        },
        { additionalProperties: false },
      ),
    },
    handler: async ({ body }, ctx) => sendTestMessage(ctx.app, body.to, ctx.principal.email),
  }),
];
