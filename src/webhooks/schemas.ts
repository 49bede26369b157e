import { Type } from '@sinclair/typebox';
import { EVENT_TYPES } from '../events/events.js';
import { NullableString, NullableTimestamp, StringEnum, TextLine, Timestamp } from '../platform/http/schemas.js';

const EventTypes = Type.Array(StringEnum(['*', ...EVENT_TYPES] as const), {
  minItems: 1,
  maxItems: 50,
  description: 'The event types sent to this URL; `["*"]` for all of them (and those added later).',
  examples: [['invoice.paid', 'service.active']],
});

const Url = Type.String({
  minLength: 1,
  maxLength: 2000,
  description:
    'Where events are POSTed: an https URL whose host has a public address (checked now and at every delivery).',
  examples: ['https://hooks.example.com/portico'],
});

const endpointFields = {
  id: Type.String({ description: 'Webhook id', examples: ['whk_01JD8X3Q4W5E6R7T8Y9ZABCDEF'] }),
  url: Url,
  description: Type.String({ description: 'Your note, e.g. what receives it' }),
  event_types: EventTypes,
  enabled: Type.Boolean({ description: 'False once you disabled it, or after its deliveries failed for about a day' }),
  disabled_reason: NullableString({ description: 'Why it is disabled, or null' }),
  created_at: Timestamp,
  updated_at: Timestamp,
};

export const WebhookEndpoint = Type.Object(endpointFields, { additionalProperties: false });

export const CreatedWebhookEndpoint = Type.Object(
  {
    ...endpointFields,
    secret: Type.String({
      description:
        'The signing secret (`whsec_…`), shown only now: store it where your receiver verifies signatures with a Standard Webhooks library.',
      examples: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    }),
  },
  { additionalProperties: false },
);

export const CreateWebhookBody = Type.Object(
  {
    url: Url,
    event_types: EventTypes,
    description: Type.Optional(TextLine({ maxLength: 200, examples: ['billing system'] })),
  },
  { additionalProperties: false },
);

export const UpdateWebhookBody = Type.Object(
  {
    url: Type.Optional(Url),
    event_types: Type.Optional(EventTypes),
    description: Type.Optional(TextLine({ maxLength: 200 })),
    enabled: Type.Optional(Type.Boolean({ description: 'true enables a disabled webhook again; false pauses it' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

const Attempt = Type.Object(
  {
    attempt: Type.Integer({ description: '1 for the first' }),
    at: Timestamp,
    duration_ms: Type.Union([Type.Integer(), Type.Null()], { description: 'How long it took; null while running' }),
    status: Type.Union([Type.Integer(), Type.Null()], {
      description: 'The HTTP status your endpoint answered, or null',
    }),
    error: NullableString({ description: 'Why it failed, or null' }),
  },
  { additionalProperties: false },
);

export const WebhookDelivery = Type.Object(
  {
    id: Type.String({
      description:
        'The delivery id, sent as the `webhook-id` header: the same on every retry, so receivers can drop repeats.',
      examples: ['whd_01JD8X3Q4W5E6R7T8Y9ZABCDEF'],
    }),
    event_type: Type.String({ description: 'The event type, or `webhook.test`' }),
    event_id: NullableString({ description: 'The event (`evt_…`), or null for a test delivery' }),
    state: StringEnum(['pending', 'sending', 'succeeded', 'failed'] as const, {
      description: 'pending: waiting for its next attempt; sending: being sent; succeeded: a 2xx; failed: given up',
    }),
    attempts: Type.Integer({ description: 'Attempts so far' }),
    next_attempt_at: NullableTimestamp,
    last_status: Type.Union([Type.Integer(), Type.Null()], { description: 'The last HTTP status, or null' }),
    last_error: NullableString({ description: 'Why the last attempt failed, or null' }),
    created_at: Timestamp,
    finished_at: NullableTimestamp,
    payload: Type.String({ description: 'The exact JSON body sent' }),
    attempt_log: Type.Array(Attempt, { description: 'Every attempt, oldest first' }),
  },
  { additionalProperties: false },
);
