import type { ColumnType, Generated } from 'kysely';

/**
 * The database as TypeScript sees it. Columns are snake_case as stored; times are integer epoch
 * milliseconds (`*_at_ms`), money is integer minor units (`*_minor`) beside an ISO currency,
 * booleans are 0/1 integers (the one type SQLite and PostgreSQL share).
 */
export type Bool = number;

export interface SettingsTable {
  key: string;
  value: string;
  updated_at_ms: number;
}

export interface AdminsTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at_ms: number;
  updated_at_ms: number;
  /** owner, billing, support or read_only (src/staff/roles.ts). */
  role: string;
  status: 'active' | 'disabled';
  /** The TOTP secret, sealed with the master key; null until enrolment is confirmed. */
  totp_secret: string | null;
  /** The secret of an enrolment started but not yet confirmed with a code. */
  totp_pending_secret: string | null;
  totp_enabled_at_ms: number | null;
  /** The last TOTP time step a code was accepted for: codes of it and earlier steps are refused. */
  totp_last_step: number | null;
}

export interface AdminRecoveryCodesTable {
  id: string;
  admin_id: string;
  /** SHA-256 of the code (random, 50 bits: a slow hash adds nothing). */
  code_hash: string;
  created_at_ms: number;
  used_at_ms: number | null;
}

export type ClientStatus = 'active' | 'suspended' | 'closed';

export interface ClientsTable {
  id: string;
  email: string;
  name: string;
  company: string | null;
  phone: string | null;
  /** ISO 3166-1 alpha-2; decides the tax rate (billing.tax_rates). */
  country: string | null;
  /** Postal address as printed on invoices (several lines). */
  address: string | null;
  tax_id: string | null;
  password_hash: string;
  status: ClientStatus;
  credit_minor: number;
  currency: string;
  is_demo: Bool;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface AuthSessionsTable {
  id: string;
  client_id: string;
  created_at_ms: number;
  expires_at_ms: number;
  revoked_at_ms: number | null;
  ip: string | null;
  user_agent: string | null;
}

export interface RefreshTokensTable {
  id: string;
  session_id: string;
  token_hash: string;
  created_at_ms: number;
  expires_at_ms: number;
  used_at_ms: number | null;
  /** The pair this token was traded for (JSON, sealed with the master key): a retry within the reuse interval gets it again. */
  successor_sealed: string | null;
}

export type TokenScope = 'read' | 'write';

export interface ApiTokensTable {
  id: string;
  client_id: string;
  name: string;
  scope: TokenScope;
  token_hash: string;
  created_at_ms: number;
  expires_at_ms: number | null;
  last_used_at_ms: number | null;
  revoked_at_ms: number | null;
}

export interface JwtKeysTable {
  kid: string;
  public_jwk: string;
  created_at_ms: number;
  last_seen_at_ms: number;
}

export interface CategoriesTable {
  id: string;
  slug: string;
  name: string;
  description: string;
  sort_order: number;
  /** Hidden from the User API's catalog (its products can still be renewed). */
  hidden: Bool;
}

export interface ProductsTable {
  id: string;
  category_id: string;
  slug: string;
  name: string;
  description: string;
  module: string;
  panel_package: string;
  server_group: string;
  /** JSON: { webDomain: boolean, dnsZone: boolean, mailDomain: boolean } */
  features: string;
  /** Disabled: cannot be ordered and is not listed; existing services go on. */
  enabled: Bool;
  /** Hidden: not listed in the catalog, but can be ordered by id (a private offer). */
  hidden: Bool;
  sort_order: number;
  created_at_ms: number;
  updated_at_ms: number;
}

export type BillingCycle = 'monthly' | 'quarterly' | 'semiannually' | 'annually' | 'biennially';

export interface ProductPricesTable {
  product_id: string;
  billing_cycle: BillingCycle;
  amount_minor: number;
  setup_fee_minor: number;
  currency: string;
}

export type ServiceStatus = 'pending' | 'active' | 'suspended' | 'terminated' | 'cancelled';

export interface ServicesTable {
  id: string;
  client_id: string;
  product_id: string;
  order_id: string | null;
  server_id: string | null;
  panel_username: string | null;
  domain: string | null;
  status: ServiceStatus;
  billing_cycle: BillingCycle;
  amount_minor: number;
  currency: string;
  /** Start of the period that is paid up to (exclusive end of the current one). */
  next_due_at_ms: number | null;
  cancellation_type: 'end_of_period' | 'immediate' | null;
  cancellation_reason: string | null;
  cancellation_requested_at_ms: number | null;
  /** The generated panel password, sealed with the master key (shown to the client once). */
  panel_password_sealed: string | null;
  /** When the client saw the generated password; null = not shown yet. */
  panel_password_revealed_at_ms: number | null;
  /** Why the service is (being) suspended: 'overdue' (the billing run; a payment lifts it) or the admin's reason. */
  suspension_reason: string | null;
  /** The first period's start: every period is counted from it, so a clamped day comes back (Jan 31 → Feb 28 → Mar 31). */
  billing_anchor_ms: number | null;
  /** A billing-cycle change that takes effect at the next renewal. */
  next_billing_cycle: BillingCycle | null;
  terminated_at_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export type InvoiceStatus = 'unpaid' | 'paid' | 'cancelled' | 'refunded';
/** What an invoice is for: a new order, a renewal period, an upgrade, added funds, or items an admin wrote. */
export type InvoiceKind = 'order' | 'renewal' | 'upgrade' | 'funds' | 'manual';
/** What an invoice line pays for; paying the invoice applies each line (src/billing/paid.ts). */
export type InvoiceItemKind = 'order' | 'setup' | 'renewal' | 'upgrade' | 'funds' | 'manual';

export interface InvoicesTable {
  id: string;
  client_id: string;
  number: string;
  status: InvoiceStatus;
  currency: string;
  subtotal_minor: number;
  tax_minor: number;
  total_minor: number;
  issued_at_ms: number;
  due_at_ms: number;
  paid_at_ms: number | null;
  created_at_ms: number;
  kind: InvoiceKind;
  /** The tax applied (from billing.tax_rates by the client's country), or null for none. */
  tax_name: string | null;
  /** Basis points: 1900 = 19 %. */
  tax_rate_bp: number;
  /** Refunded so far (to credit); status is 'refunded' once it equals the total. */
  refunded_minor: number;
  cancelled_at_ms: number | null;
  cancel_reason: string | null;
  notes: string | null;
  /** Paid so far (a bank transfer may come in parts); the invoice is paid once it reaches the total. */
  paid_minor: Generated<number>;
}

export interface InvoiceItemsTable {
  id: string;
  invoice_id: string;
  service_id: string | null;
  description: string;
  /** Net amount (before tax), minor units. */
  amount_minor: number;
  sort_order: number;
  kind: InvoiceItemKind;
  period_start_ms: number | null;
  period_end_ms: number | null;
  /** JSON for the line's kind (an upgrade's target product and cycle), or null. */
  details: string | null;
}

export interface CreditLedgerTable {
  id: string;
  client_id: string;
  /** Signed: positive adds credit, negative takes it. */
  amount_minor: number;
  currency: string;
  balance_after_minor: number;
  reason: string;
  actor_type: 'admin' | 'client' | 'cli' | 'system';
  actor_id: string | null;
  invoice_id: string | null;
  payment_id: string | null;
  at_ms: number;
}

export interface InvoiceSequencesTable {
  scope: string;
  next_seq: number;
}

export interface ServicePeriodsTable {
  service_id: string;
  period_start_ms: number;
  period_end_ms: number;
  invoice_id: string;
  created_at_ms: number;
}

export interface BillingActionsTable {
  subject_id: string;
  action: string;
  cause: string;
  run_id: string;
  operation_id: string | null;
  at_ms: number;
}

export interface BillingRunsTable {
  id: string;
  as_of_ms: number;
  started_at_ms: number;
  finished_at_ms: number | null;
  /** abandoned: crashed before it finished; the next run completed its work. */
  status: 'running' | 'done' | 'failed' | 'abandoned';
  /** JSON: counts per action. */
  summary: string | null;
  error: string | null;
}

export interface BillingLockTable {
  id: number;
  run_id: string | null;
  lease_until_ms: number;
}

export interface RouteOverridesTable {
  operation_id: string;
  enabled: Bool | null;
  name: string | null;
  category: string | null;
  description: string | null;
  updated_at_ms: number;
}

export interface RouteAliasesTable {
  path: string;
  operation_id: string;
  enabled: Bool;
  /** The alias's own docs name, category and description; null: the original route's. */
  name: string | null;
  category: string | null;
  description: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

/**
 * The request log, a segment per row: the entries one log thread wrote together (up to
 * 500 of them, spanning at most a second), as one JSON document. One row per request
 * cost SQLite more than the rest of the request (ADR 0007). The summary columns list, one per line
 * between newlines, the distinct values the segment's entries hold, so a filtered search reads
 * only the segments that can match.
 */
export interface RequestLogSegmentTable {
  /** Time-sortable; an entry's id is this id, a dot and its index in `entries`. */
  id: string;
  first_at_ms: number;
  last_at_ms: number;
  entry_count: number;
  client_ids: string;
  /** Operation ids and paths called. */
  routes: string;
  statuses: string;
  ips: string;
  /** JSON: `{"strings": [...], "entries": [...]}` (src/requestlog/segment.ts). */
  entries: string;
}

/** A redacted request or response body, stored once however many log rows show it. */
export interface RequestLogBodyTable {
  hash: string;
  body: string;
  /** When the newest entry showing it was logged: retention drops it with that entry. */
  last_at_ms: number;
}

export interface AuditLogTable {
  id: string;
  at_ms: number;
  actor_type: 'admin' | 'client' | 'system' | 'cli';
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  request_id: string | null;
  details: string | null;
}

/** Monotonic counter bumped on every configuration change, polled by every instance. */
export interface ConfigVersionTable {
  id: Generated<number>;
  version: ColumnType<number, number, number>;
}

export interface ServersTable {
  id: string;
  name: string;
  host: string;
  port: number;
  auth_kind: 'access_key' | 'legacy_hash' | 'root_password';
  /** The credentials as JSON, sealed with the master key (src/platform/crypto/secretbox.ts). */
  credentials_sealed: string;
  tls_mode: 'system' | 'ca' | 'pin' | 'insecure';
  /** The CA certificate (PEM) for `ca`, the SHA-256 fingerprint for `pin`. */
  tls_value: string | null;
  root_user: string;
  server_group: string;
  capacity: number;
  enabled: Bool;
  is_sandbox: Bool;
  paused_reason: string | null;
  paused_at_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
}

/** A job's states, in the order it can pass through them; the API schemas list these. */
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobsTable {
  id: string;
  type: string;
  payload: string;
  state: JobState;
  attempts: number;
  max_attempts: number;
  run_after_ms: number;
  lease_owner: string | null;
  lease_expires_at_ms: number | null;
  server_id: string | null;
  service_id: string | null;
  client_id: string | null;
  correlation_id: string;
  last_error_code: string | null;
  last_error_message: string | null;
  /** The failure that made the job give up and roll back (kept while the rollback's errors come). */
  failure_code: string | null;
  failure_message: string | null;
  /** null: no rollback; running: compensations still to do; done: all undone; incomplete: gave up. */
  rollback_state: RollbackState | null;
  rollback_attempts: Generated<number>;
  rollback_error_code: string | null;
  rollback_error_message: string | null;
  /** JSON array of what a rollback or a cancellation left on a panel, for the admin. */
  left_behind: string | null;
  created_at_ms: number;
  updated_at_ms: number;
  finished_at_ms: number | null;
}

export type RollbackState = 'running' | 'done' | 'incomplete';

export interface JobStepsTable {
  job_id: string;
  name: string;
  output: string | null;
  finished_at_ms: number;
}

export interface ServerLocksTable {
  server_id: string;
  job_id: string;
  lease_expires_at_ms: number;
}

/** A running worker's heartbeat (src/jobs/heartbeat-store.ts). */
export interface WorkerHeartbeatsTable {
  owner: string;
  started_at_ms: number;
  seen_at_ms: number;
}

export interface PanelCallsTable {
  id: string;
  job_id: string | null;
  server: string;
  command: string;
  http_status: number | null;
  exit_code: number | null;
  code: string;
  duration_ms: number;
  correlation_id: string;
  at_ms: number;
}

export interface OrdersTable {
  id: string;
  client_id: string;
  product_id: string;
  billing_cycle: BillingCycle;
  domain: string | null;
  invoice_id: string;
  service_id: string;
  created_at_ms: number;
  status: 'pending' | 'active' | 'cancelled';
  cancelled_at_ms: number | null;
}

export interface PaymentsTable {
  id: string;
  invoice_id: string;
  amount_minor: number;
  currency: string;
  method: PaymentMethodName | 'admin';
  actor_type: 'admin' | 'client' | 'cli' | 'system';
  actor_id: string | null;
  at_ms: number;
  /** 'payment', or 'refund' (amount positive, money going back). */
  kind: 'payment' | 'refund';
  reference: string | null;
  /** The provider's id (a Stripe PaymentIntent or Refund): unique, so a payment is recorded once. */
  provider_ref: Generated<string | null>;
}

/** How a client can pay (src/payments/methods.ts). */
export type PaymentMethodName = 'credit' | 'bank_transfer' | 'stripe';

/** One attempt to collect an invoice through a provider: a Checkout Session or an off-session charge. */
export interface PaymentAttemptsTable {
  id: string;
  invoice_id: string;
  client_id: string;
  method: 'stripe';
  purpose: 'checkout' | 'renewal_charge';
  provider_ref: string | null;
  amount_minor: number;
  currency: string;
  /** `mismatch`: the provider reported an amount or currency other than the invoice's; not paid. */
  status: 'pending' | 'succeeded' | 'failed' | 'mismatch';
  error: string | null;
  /** 1 for the first try of a renewal charge, 2 for its first retry… */
  attempt: number;
  /** A failed renewal charge: when the next try is due, or null when there is none left. */
  next_attempt_at_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
}

/** A Stripe event already applied: the id is the key, so a replay changes nothing. */
export interface StripeEventsTable {
  id: string;
  type: string;
  invoice_id: string | null;
  outcome: string;
  received_at_ms: number;
}

/** A client's Stripe customer and the card saved for renewals. */
export interface StripeCustomersTable {
  client_id: string;
  customer_id: string;
  payment_method_id: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface IdempotencyKeysTable {
  client_id: string;
  key: string;
  request_hash: string;
  /** null while the first request with this key is still running. */
  response_status: number | null;
  /** The response body as JSON, sealed with the master key (it can hold a secret shown once). */
  response_body: string | null;
  created_at_ms: number;
}

export interface AdminSessionsTable {
  id: string;
  admin_id: string;
  token_hash: string;
  ip: string | null;
  created_at_ms: number;
  expires_at_ms: number;
}

export interface Database {
  settings: SettingsTable;
  admins: AdminsTable;
  admin_recovery_codes: AdminRecoveryCodesTable;
  clients: ClientsTable;
  auth_sessions: AuthSessionsTable;
  refresh_tokens: RefreshTokensTable;
  api_tokens: ApiTokensTable;
  jwt_keys: JwtKeysTable;
  categories: CategoriesTable;
  products: ProductsTable;
  product_prices: ProductPricesTable;
  services: ServicesTable;
  invoices: InvoicesTable;
  invoice_items: InvoiceItemsTable;
  route_overrides: RouteOverridesTable;
  route_aliases: RouteAliasesTable;
  request_log_segment: RequestLogSegmentTable;
  request_log_body: RequestLogBodyTable;
  audit_log: AuditLogTable;
  config_version: ConfigVersionTable;
  servers: ServersTable;
  jobs: JobsTable;
  job_steps: JobStepsTable;
  server_locks: ServerLocksTable;
  worker_heartbeats: WorkerHeartbeatsTable;
  panel_calls: PanelCallsTable;
  orders: OrdersTable;
  payments: PaymentsTable;
  payment_attempts: PaymentAttemptsTable;
  stripe_events: StripeEventsTable;
  stripe_customers: StripeCustomersTable;
  idempotency_keys: IdempotencyKeysTable;
  admin_sessions: AdminSessionsTable;
  credit_ledger: CreditLedgerTable;
  invoice_sequences: InvoiceSequencesTable;
  service_periods: ServicePeriodsTable;
  billing_actions: BillingActionsTable;
  billing_runs: BillingRunsTable;
  billing_lock: BillingLockTable;
  events: EventsTable;
  event_deliveries: EventDeliveriesTable;
  mail_messages: MailMessagesTable;
  mail_templates: MailTemplatesTable;
  password_resets: PasswordResetsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}

/** A domain event, written in the transaction of the change it records (src/events/). */
export interface EventsTable {
  id: string;
  type: string;
  dedupe_key: string;
  client_id: string | null;
  service_id: string | null;
  invoice_id: string | null;
  /** JSON object. */
  payload: string;
  created_at_ms: number;
}

export type DeliveryState = 'pending' | 'running' | 'done' | 'failed';

/** One event's progress for one consumer (mail, webhooks…): claimed under a lease, retried. */
export interface EventDeliveriesTable {
  consumer: string;
  event_id: string;
  state: DeliveryState;
  attempts: number;
  run_after_ms: number;
  lease_owner: string | null;
  lease_expires_at_ms: number | null;
  last_error: string | null;
  updated_at_ms: number;
  finished_at_ms: number | null;
}

/** queued: to send; sending: an attempt is recorded and may have reached the server; sent; failed: gave up; unsent: no SMTP configured. */
export type MailState = 'queued' | 'sending' | 'sent' | 'failed' | 'unsent';

export interface MailMessagesTable {
  id: string;
  dedupe_key: string;
  template: string;
  event_id: string | null;
  client_id: string | null;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  /** JSON array of what to attach, made at sending time: [{"kind":"invoice_pdf","invoice_id":"inv_…"}]. */
  attachments: string | null;
  state: MailState;
  attempts: number;
  run_after_ms: number;
  lease_owner: string | null;
  lease_expires_at_ms: number | null;
  last_error: string | null;
  last_attempt_at_ms: number | null;
  sent_at_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
}

/** An admin's edit of a template; a template without a row uses its default in code. */
export interface MailTemplatesTable {
  name: string;
  subject: string;
  text_body: string;
  html_body: string;
  updated_at_ms: number;
}

export interface PasswordResetsTable {
  /** SHA-256 of the token, hex: the token itself is only in the email. */
  token_hash: string;
  subject_type: 'client' | 'admin';
  subject_id: string;
  expires_at_ms: number;
  used_at_ms: number | null;
  created_at_ms: number;
}

export type WebhookEndpointState = 'enabled' | 'disabled';

/** A client's webhook endpoint (src/webhooks/): where events are POSTed, signed with its secret. */
export interface WebhookEndpointsTable {
  id: string;
  client_id: string;
  url: string;
  description: string;
  /** JSON array of event types, or ["*"]. */
  event_types: string;
  /** The whsec_ signing secret, sealed with the master key. */
  secret_sealed: string;
  state: WebhookEndpointState;
  disabled_reason: string | null;
  created_at_ms: number;
  updated_at_ms: number;
  deleted_at_ms: number | null;
}

/** pending: to send (or retry); sending: an attempt is recorded and may have reached the endpoint; succeeded; failed: gave up. */
export type WebhookDeliveryState = 'pending' | 'sending' | 'succeeded' | 'failed';

export interface WebhookDeliveriesTable {
  id: string;
  dedupe_key: string;
  endpoint_id: string;
  client_id: string;
  event_id: string | null;
  event_type: string;
  payload: string;
  state: WebhookDeliveryState;
  attempts: number;
  run_after_ms: number;
  lease_owner: string | null;
  lease_expires_at_ms: number | null;
  last_status: number | null;
  last_error: string | null;
  created_at_ms: number;
  updated_at_ms: number;
  finished_at_ms: number | null;
}

export interface WebhookAttemptsTable {
  delivery_id: string;
  attempt: number;
  started_at_ms: number;
  duration_ms: number | null;
  status: number | null;
  error: string | null;
}
