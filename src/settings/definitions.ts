/**
 * Every run-time setting: its key, what it means, its default and how a raw string is parsed.
 * The CLI, the Admin API and the settings store all go through `parseSetting`, so a bad value is
 * refused in one place with one message that says what is accepted.
 */
import { isCleanText, TEXT_BLOCK_MESSAGE, TEXT_LINE_MESSAGE } from '../platform/http/schemas.js';
import type { TrustProxy } from '../platform/http/trust-proxy.js';

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
