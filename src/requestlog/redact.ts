import { SECRET_KEYS } from '../platform/log.js';

/**
 * What the request log may keep. Secrets are replaced before anything is stored: values under
 * secret-looking keys (password, token, secret, key, authorization…) in JSON bodies, query
 * strings and headers, anything that looks like a card number anywhere, and bodies are capped.
 */
export const BODY_CAP_BYTES = 16 * 1024;
const MASK = '[REDACTED]';
const SECRET_KEY = new RegExp(
  `(${[...SECRET_KEYS, 'passwd', 'pass', 'key', 'cookie', 'cvv', 'cvc', 'card'].join('|')})`,
  'i',
);
// 13–19 digits, optionally grouped by spaces or dashes: card-like numbers (PAN).
const CARD_LIKE = /\b(?:\d[ -]?){12,18}\d\b/g;

// Keys that look secret by name but only describe a secret: kept, so a login's log entry still
// says what kind of token was issued and for how long.
const DESCRIBES_A_SECRET = new Set(['token_type', 'expires_in', 'refresh_token_expires_in']);

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !DESCRIBES_A_SECRET.has(key.toLowerCase());
}

// A JSON member: a key, then a string, number, boolean or null value. The key is checked by a
// separate short test, so the pattern never backtracks over long text.
const MEMBER = /"([^"\\]{1,80})"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false|null)/g;

/**
 * A body as text for the log, secrets replaced, capped. One pass over the text instead of
 * parse-walk-stringify: this runs for every logged request, and the log must cost little
 * (≤ 10 % of throughput). Values under secret-looking keys are replaced whatever their nesting;
 * card-like numbers anywhere; `password=…` style pairs in non-JSON bodies.
 */
export function redactBody(raw: string | undefined | null): string | null {
  if (raw === undefined || raw === null || raw === '') return null;
  let text = raw;
  // Most bodies name no secret at all: one scan for the words settles it, and the member pass
  // (which would find nothing to replace) is skipped.
  if (SECRET_KEY.test(text)) {
    text = text.replace(MEMBER, (member, key: string, colon: string) =>
      isSecretKey(key) ? `"${key}"${colon}"${MASK}"` : member,
    );
    text = text.replace(/((?:password|token|secret)\s*=\s*)([^&\s"]+)/gi, `$1${MASK}`);
  }
  if (/\d{4}/.test(text)) text = text.replace(CARD_LIKE, MASK);
  return cap(text);
}

export function cap(text: string): string {
  const bytes = Buffer.byteLength(text);
  if (bytes <= BODY_CAP_BYTES) return text;
  const cut = Buffer.from(text)
    .subarray(0, BODY_CAP_BYTES)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${cut}…[truncated ${bytes - Buffer.byteLength(cut)} bytes]`;
}

export function redactQuery(query: string): string | null {
  if (!query) return null;
  const params = new URLSearchParams(query);
  for (const [k, v] of [...params]) params.set(k, isSecretKey(k) ? MASK : v.replace(CARD_LIKE, MASK));
  return cap(params.toString().replaceAll(encodeURIComponent(MASK), MASK));
}

export const KEEP_HEADERS = [
  'content-type',
  'content-length',
  'user-agent',
  'accept',
  'x-request-id',
  'idempotency-key',
  'x-forwarded-for',
  'authorization',
  'cookie',
  'x-api-key',
];

const CREDENTIAL_HEADERS = new Set(['cookie', 'x-api-key']);

/**
 * What the log keeps of a header: its value (several joined), the scheme of `Authorization`,
 * nothing of a cookie or key. The request thread cuts headers down with this before they cross to
 * the log's thread, so secrets never leave it.
 */
export function keptHeader(name: string, value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(', ') : value;
  if (name === 'authorization') {
    const space = text.indexOf(' ');
    return space === -1 ? text : text.slice(0, space);
  }
  return CREDENTIAL_HEADERS.has(name) ? '' : text;
}

/** What the log stores of a header already cut down by keptHeader. */
export function redactKeptHeader(name: string, kept: string): string {
  if (name === 'authorization') return `${kept} ${MASK}`;
  return CREDENTIAL_HEADERS.has(name) ? MASK : kept.replace(CARD_LIKE, MASK);
}

/** A short list of useful headers; credentials keep only their scheme (`Bearer [REDACTED]`). */
export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEEP_HEADERS) {
    const kept = keptHeader(name, headers[name]);
    if (kept !== undefined) out[name] = redactKeptHeader(name, kept);
  }
  return out;
}
