/**
 * Every run-time setting: its key, what it means, its default and how a raw string is parsed.
 * The CLI, the Admin API and the settings store all go through `parseSetting`, so a bad value is
 * refused in one place with one message that says what is accepted.
 */
import { isCleanText, TEXT_BLOCK_MESSAGE, TEXT_LINE_MESSAGE } from '../platform/http/checks.js';
import type { TrustProxy } from '../platform/http/trust-proxy.js';
import { isRole, ROLES, type Role } from '../staff/roles.js';

export type { TrustProxy };

export type AuthMethod = 'basic' | 'jwt' | 'token';
export const AUTH_METHODS: readonly AuthMethod[] = ['basic', 'jwt', 'token'];

export interface RateLimitRule {
  points: number;
  durationS: number;
}

export class SettingError extends Error {
  override name = 'SettingError';
}

interface SettingDef<T> {
  description: string;
  default: string;
  parse(raw: string): T;
}

function parseAuthMethods(raw: string): AuthMethod[] {
  const items = raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = items.filter((m) => !AUTH_METHODS.includes(m as AuthMethod));
  if (items.length === 0 || unknown.length > 0) {
    throw new SettingError(
      `must be a comma-separated list of one or more of: ${AUTH_METHODS.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}.`,
    );
  }
  return [...new Set(items)] as AuthMethod[];
}

const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

function parseRateLimit(raw: string): RateLimitRule | null {
  const value = raw.trim().toLowerCase();
  if (value === 'off') return null;
  const match = /^(\d{1,9})\s*\/\s*(\d{1,6})?\s*([smhd])$/.exec(value);
  const points = match ? Number(match[1]) : 0;
  const durationS = match ? Number(match[2] ?? '1') * (UNIT_S[match[3] ?? 's'] ?? 1) : 0;
  if (!match || points < 1 || durationS < 1) {
    throw new SettingError('must look like 100/60s (requests per period; units s, m, h, d; e.g. 1000/1h) or "off".');
  }
  return { points, durationS };
}

/** `line`: one line of text (a name, a path); `block`: text that may span lines (Markdown). */
function parseText(maxLength: number, kind: 'line' | 'block' = 'line') {
  return (raw: string): string => {
    if (raw.length > maxLength) throw new SettingError(`must be at most ${maxLength} characters.`);
    if (!isCleanText(raw, kind)) {
      throw new SettingError(`${kind === 'line' ? TEXT_LINE_MESSAGE : TEXT_BLOCK_MESSAGE}.`);
    }
    return raw;
  };
}

function parseUrlOrEmpty(raw: string): string {
  if (raw === '') return raw;
  try {
    const url = new URL(raw);
    if (url.protocol === 'https:' || url.protocol === 'http:') return raw;
  } catch {
    // fall through to the error below
  }
  throw new SettingError('must be an http(s) URL (e.g. https://example.com/logo.svg) or empty.');
}

function parseTrustProxy(raw: string): TrustProxy {
  const value = raw.trim().toLowerCase();
  if (value === 'off' || value === 'false' || value === '') return { mode: 'off' };
  if (/^\d{1,2}$/.test(value) && Number(value) > 0) return { mode: 'hops', hops: Number(value) };
  const addresses = value.split(',').map((s) => s.trim());
  const valid = addresses.every(
    (a) => ['loopback', 'linklocal', 'uniquelocal'].includes(a) || /^[0-9a-f.:]+(\/\d{1,3})?$/.test(a),
  );
  if (!valid) {
    throw new SettingError(
      'must be "off", a number of proxy hops (e.g. 1), or a comma list of proxy addresses/CIDRs (e.g. 127.0.0.1,10.0.0.0/8; "loopback" for a proxy on this machine).',
    );
  }
  return { mode: 'list', addresses };
}

function parseAllowList(raw: string): string[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.every((a) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(a))) {
    throw new SettingError(
      'must be a comma-separated list of IP addresses or CIDRs (e.g. 203.0.113.7,10.0.0.0/8), or empty.',
    );
  }
  return items;
}

function parseRoles(raw: string): Role[] {
  const value = raw.trim().toLowerCase();
  if (value === '' || value === 'none') return [];
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = items.filter((r) => !isRole(r));
  if (unknown.length > 0) {
    throw new SettingError(
      `must be a comma-separated list of staff roles (${ROLES.join(', ')}), or "none" (unknown: ${unknown.join(', ')}).`,
    );
  }
  return [...new Set(items)] as Role[];
}

function parsePositiveInt(max: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || n < 1 || n > max)
      throw new SettingError(`must be a whole number from 1 to ${max}.`);
    return n;
  };
}

function parseOnOff(raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(value)) return true;
  if (['off', 'false', 'no', '0'].includes(value)) return false;
  throw new SettingError('must be "on" or "off".');
}

function parseDays(max: number, allowOff: boolean) {
  return (raw: string): number | null => {
    const value = raw.trim().toLowerCase();
    if (allowOff && value === 'off') return null;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n > max)
      throw new SettingError(`must be a whole number of days from 0 to ${max}${allowOff ? ' or "off"' : ''}.`);
    return n;
  };
}

/** `7,1` (days, any order) or "off": the days before or after a due date a reminder goes out. */
function parseDayList(raw: string): number[] {
  const value = raw.trim().toLowerCase();
  if (value === 'off' || value === '') return [];
  const items = value.split(',').map((s) => s.trim());
  if (items.length > 10 || items.some((i) => !/^\d{1,3}$/.test(i) || Number(i) < 1 || Number(i) > 365)) {
    throw new SettingError('must be a comma-separated list of up to 10 day counts from 1 to 365 (e.g. 7,1) or "off".');
  }
  return [...new Set(items.map(Number))].sort((a, b) => a - b);
}

function parseEmailOrEmpty(raw: string): string {
  const value = raw.trim();
  if (value === '') return value;
  // `Name <address>` or a bare address.
  const match = /^(?:([^<>\r\n]{1,200})\s)?<?([^\s<>@]{1,64}@[^\s<>@]{1,255}\.[^\s<>@]{1,63})>?$/.exec(value);
  if (!match)
    throw new SettingError('must be an email address, optionally with a name: Example Hosting <billing@example.com>.');
  return value;
}

function parseSmtpUrl(raw: string): string {
  const value = raw.trim();
  if (value === '') return value;
  try {
    const url = new URL(value);
    if ((url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname) return value;
  } catch {
    // fall through to the error below
  }
  throw new SettingError(
    'must be an smtp:// or smtps:// URL (e.g. smtps://user:password@mail.example.com:465; smtp:// upgrades with STARTTLS when offered) or empty to keep messages unsent.',
  );
}

function parseTimeZone(raw: string): string {
  const zone = raw.trim();
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    if (zone) return zone;
  } catch {
    // fall through to the error below
  }
  throw new SettingError('must be an IANA time zone such as UTC, Europe/Berlin or America/New_York.');
}

/** `INV-{YYYY}-{seq:5}`: {YYYY}, {YY} the year; {seq} or {seq:N} the number (zero-padded to N digits). */
function parseInvoiceNumberFormat(raw: string): string {
  const format = raw.trim();
  const seq = format.match(/\{seq(?::(\d{1,2}))?\}/g) ?? [];
  const unknown = (format.match(/\{[^}]*\}/g) ?? []).filter((t) => !/^\{(YYYY|YY|seq(:\d{1,2})?)\}$/.test(t));
  if (seq.length !== 1 || unknown.length > 0 || format.length > 64 || !/^[\x21-\x7e]+$/.test(format)) {
    throw new SettingError(
      'must contain {seq} (or {seq:N} for N digits) once, may contain {YYYY} or {YY}, and no spaces, e.g. INV-{YYYY}-{seq:5}.',
    );
  }
  return format;
}

function parseRetryDays(raw: string): number[] {
  const value = raw.trim().toLowerCase();
  if (value === 'off' || value === '') return [];
  const days = value.split(',').map((d) => d.trim());
  const numbers = days.map(Number);
  if (
    days.length > 10 ||
    !days.every((d) => /^\d{1,3}$/.test(d)) ||
    numbers.some((n, i) => n < 1 || (i > 0 && n <= (numbers[i - 1] ?? 0)))
  ) {
    throw new SettingError(
      'must be increasing whole days after the first failed charge, comma-separated (e.g. 1,3,5; at most 10), or "off".',
    );
  }
  return numbers;
}

/** `smtps://user:secret@host:465` → `smtps://user@host:465`: what the mail server is, without the password. */
export function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '';
  }
}

/** A secret (an API key): stored sealed with the master key; the snapshot holds the sealed form. */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set([
  'payments.stripe_secret_key',
  'payments.stripe_webhook_secret',
]);

export interface TaxRate {
  rateBp: number;
  name: string;
}

/** `DE=19:VAT, AT=20:USt`: country (ISO 3166-1 alpha-2) = percent (up to 2 decimals) : name. */
function parseTaxRates(raw: string): Record<string, TaxRate> {
  const out: Record<string, TaxRate> = {};
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z]{2})\s*=\s*(\d{1,2}(?:\.\d{1,2})?)\s*(?::\s*([^,:=]{1,30}))?$/.exec(part);
    if (!match) {
      throw new SettingError(
        `must be a comma-separated list like DE=19:VAT, AT=20:USt (country code = percent : name); "${part}" is not.`,
      );
    }
    const [, country = '', rate = '0', name] = match;
    out[country.toUpperCase()] = { rateBp: Math.round(Number(rate) * 100), name: (name ?? 'Tax').trim() };
  }
  return out;
}

export const SETTINGS = {
  'userapi.auth_methods': {
    description: 'Authentication methods the User API accepts: basic, jwt, token (comma-separated).',
    default: 'basic,jwt,token',
    parse: parseAuthMethods,
  },
  'userapi.rate_limit': {
    description: 'Requests per period per client (per IP before authentication), e.g. 100/60s, or "off".',
    default: '300/60s',
    parse: parseRateLimit,
  },
  'userapi.jwt_key_path': {
    description:
      'RSA private key (PEM, PKCS#1 or PKCS#8) that signs access tokens; relative to the install directory or absolute. Empty: a key generated under the data directory.',
    default: '',
    parse: parseText(4096),
  },
  'userapi.access_token_ttl_s': {
    description: 'Lifetime of a JWT access token, in seconds.',
    default: '900',
    parse: parsePositiveInt(86400),
  },
  'userapi.refresh_token_ttl_days': {
    description: 'Lifetime of a refresh token, in days.',
    default: '30',
    parse: parsePositiveInt(365),
  },
  'userapi.docs.company_name': {
    description: 'Company name shown on the API documentation page.',
    default: 'Portico',
    parse: parseText(200),
  },
  'userapi.docs.logo_url': {
    description: 'Logo shown on the API documentation page (http(s) URL), or empty.',
    default: '',
    parse: parseUrlOrEmpty,
  },
  'userapi.docs.intro': {
    description: 'Introduction text (Markdown) at the top of the API documentation.',
    default: 'Manage your hosting services, invoices and account from your own scripts and apps.',
    parse: parseText(20000, 'block'),
  },
  'userapi.logging': {
    description: 'Request log of the User API (enable for debugging): on or off.',
    default: 'off',
    parse: parseOnOff,
  },
  'userapi.log_retention_days': {
    description: 'Days the User API request log is kept.',
    default: '14',
    parse: parsePositiveInt(3650),
  },
  'admin.allowed_ips': {
    description: 'Addresses/CIDRs allowed to use the Admin API (comma-separated); empty = any address.',
    default: '',
    parse: parseAllowList,
  },
  'admin.require_totp_for': {
    description:
      'Staff roles that must log in with a second factor (TOTP), comma-separated, or "none". Until they enrol, such staff reach only their session and the enrolment.',
    default: 'owner',
    parse: parseRoles,
  },
  'billing.time_zone': {
    description:
      'The provider’s time zone (IANA): due dates are calendar days here, and invoice numbers restart with its year.',
    default: 'UTC',
    parse: parseTimeZone,
  },
  'billing.invoice_days_before_due': {
    description: 'Days before a service’s due date its renewal invoice is issued.',
    default: '7',
    parse: parseDays(365, false),
  },
  'billing.apply_credit': {
    description: 'Pay a new renewal invoice from the client’s credit when it covers the whole invoice: on or off.',
    default: 'on',
    parse: parseOnOff,
  },
  'billing.suspend_after_days': {
    description: 'Days a renewal invoice may be overdue before the service is suspended, or "off".',
    default: '3',
    parse: parseDays(3650, true),
  },
  'billing.terminate_after_days': {
    description:
      'Days a renewal invoice may be overdue before the service is terminated (its account removed from the panel), or "off".',
    default: '30',
    parse: parseDays(3650, true),
  },
  'billing.cancel_unpaid_orders_after_days': {
    description: 'Days after which an order whose invoice was never paid is cancelled, or "off".',
    default: '14',
    parse: parseDays(3650, true),
  },
  'billing.reminder_days_before': {
    description: 'Days before an unpaid invoice is due that the client is reminded (e.g. 7,1), or "off".',
    default: '3',
    parse: parseDayList,
  },
  'billing.reminder_days_after': {
    description: 'Days after an unpaid invoice fell due that the client is told it is overdue (e.g. 1,7), or "off".',
    default: '1,7',
    parse: parseDayList,
  },
  'email.smtp_url': {
    description:
      'Where email is sent: smtp:// or smtps:// URL with credentials (smtps://user:pass@mail.example.com:465). Empty: messages are kept unsent (`portico mail list`).',
    default: '',
    parse: parseSmtpUrl,
  },
  'email.from': {
    description: 'The sender of every email: Example Hosting <billing@example.com>. Needed to send.',
    default: '',
    parse: parseEmailOrEmpty,
  },
  'email.logo_url': {
    description: 'An http(s) URL of the logo shown at the top of HTML emails (beside company.name), or empty.',
    default: '',
    parse: parseUrlOrEmpty,
  },
  'email.client_area_url': {
    description: 'The address clients use (links in emails, password reset): https://my.example.com. Empty: not shown.',
    default: '',
    parse: parseUrlOrEmpty,
  },
  'billing.run_every_minutes': {
    description: 'How often `portico serve` runs the billing run (minutes).',
    default: '60',
    parse: parsePositiveInt(1440),
  },
  'billing.invoice_number_format': {
    description:
      'Invoice numbers: {YYYY} or {YY} the year, {seq:N} the number within the year, zero-padded to N digits. Numbers are gap-free and never reused.',
    default: 'INV-{YYYY}-{seq:5}',
    parse: parseInvoiceNumberFormat,
  },
  'billing.tax_rates': {
    description: 'Tax by the client’s country, e.g. DE=19:VAT, AT=20:USt (country = percent : name). Empty: no tax.',
    default: '',
    parse: parseTaxRates,
  },
  'company.name': {
    description: 'The provider’s name, printed on invoices.',
    default: 'Portico Hosting',
    parse: parseText(200),
  },
  'company.address': {
    description: 'The provider’s postal address (several lines), printed on invoices.',
    default: '',
    parse: parseText(1000, 'block'),
  },
  'company.tax_id': {
    description: 'The provider’s tax or VAT number, printed on invoices, or empty.',
    default: '',
    parse: parseText(64),
  },
  'company.logo_path': {
    description:
      'PNG or JPEG logo printed on invoices: a file path (relative to the install directory or absolute), or empty.',
    default: '',
    parse: parseText(4096),
  },
  'payments.credit': {
    description: 'Clients may pay invoices from their credit balance: on or off.',
    default: 'on',
    parse: parseOnOff,
  },
  'payments.bank_transfer': {
    description:
      'Clients may pay by bank transfer (invoices show payments.bank_details and a reference; an admin records the payment): on or off.',
    default: 'off',
    parse: parseOnOff,
  },
  'payments.bank_details': {
    description: 'The provider’s bank details printed on invoices for a transfer (account holder, IBAN, BIC…).',
    default: '',
    parse: parseText(1000, 'block'),
  },
  'payments.stripe': {
    description: 'Clients may pay by card through Stripe Checkout: on or off (needs payments.stripe_secret_key).',
    default: 'off',
    parse: parseOnOff,
  },
  'payments.stripe_secret_key': {
    description: 'Stripe secret API key (sk_live_… or sk_test_…); stored sealed with the master key.',
    default: '',
    parse: parseText(4096),
  },
  'payments.stripe_webhook_secret': {
    description:
      'Signing secret (whsec_…) of the Stripe webhook endpoint pointing at /payments/stripe/webhook; stored sealed.',
    default: '',
    parse: parseText(4096),
  },
  'payments.stripe_return_url': {
    description:
      'Where Stripe Checkout sends the client back after paying or cancelling (http(s) URL); empty: PORTICO_PUBLIC_URL.',
    default: '',
    parse: parseUrlOrEmpty,
  },
  'payments.retry_days': {
    description:
      'A failed automatic renewal charge is tried again this many days after the first failure (e.g. 1,3,5), or "off".',
    default: '1,3,5',
    parse: parseRetryDays,
  },
  'webhooks.allow_private_targets': {
    description:
      'Clients’ webhooks may go to http:// URLs and to loopback or private addresses: on only in labs and tests (off: https to public addresses only, checked at every delivery).',
    default: 'off',
    parse: parseOnOff,
  },
  trust_proxy: {
    description:
      'Reverse proxies whose X-Forwarded-For is trusted for the client IP: off, a hop count, or addresses/CIDRs ("loopback" for nginx/Apache on this machine).',
    default: 'off',
    parse: parseTrustProxy,
  },
} satisfies Record<string, SettingDef<unknown>>;

export type SettingKey = keyof typeof SETTINGS;
export type SettingsSnapshot = { [K in SettingKey]: ReturnType<(typeof SETTINGS)[K]['parse']> };

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTINGS, key);
}

/** Parses a raw value for a key, throwing a SettingError whose message names the key and what is accepted. */
export function parseSetting<K extends SettingKey>(key: K, raw: string): SettingsSnapshot[K] {
  try {
    return SETTINGS[key].parse(raw) as SettingsSnapshot[K];
  } catch (error) {
    if (error instanceof SettingError) throw new SettingError(`${key} ${error.message}`);
    throw error;
  }
}

export function parseAll(raw: Partial<Record<string, string>>): SettingsSnapshot {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    const value = raw[key] ?? SETTINGS[key].default;
    try {
      out[key] = parseSetting(key, value);
    } catch {
      // A stored value that no longer parses (an older release's format) falls back to the default
      // rather than stopping the API; `portico settings get` shows the stored value so it can be fixed.
      out[key] = parseSetting(key, SETTINGS[key].default);
    }
  }
  return out as SettingsSnapshot;
}
