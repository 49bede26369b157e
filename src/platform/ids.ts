import { randomBytes } from 'node:crypto';

/**
 * Prefixed, time-sortable ids (`cli_01J…`): 48 bits of milliseconds then 80 random bits in
 * Crockford base32, so ids sort by creation time and double as pagination cursors.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const ID_PREFIXES = {
  admin: 'adm',
  client: 'cli',
  category: 'cat',
  product: 'prd',
  service: 'svc',
  invoice: 'inv',
  invoiceItem: 'itm',
  payment: 'pay',
  order: 'ord',
  session: 'ses',
  refreshToken: 'rft',
  apiToken: 'tok',
  job: 'job',
  server: 'srv',
  request: 'req',
  operation: 'op',
  audit: 'aud',
  log: 'log',
  credit: 'crd',
  billingRun: 'brn',
  recoveryCode: 'rcv',
  paymentAttempt: 'pat',
  event: 'evt',
  mail: 'msg',
  webhook: 'whk',
  webhookDelivery: 'whd',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

// Ids made in the same millisecond share their time part: it is encoded once.
let encodedMs = -1;
let encodedTime = '';

function encodeTime(ms: number): string {
  if (ms === encodedMs) return encodedTime;
  let out = '';
  let rest = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  encodedMs = ms;
  encodedTime = out;
  return out;
}

// One getrandom() call per id costs several microseconds on the request path (every request gets
// an id); ids draw their 16 random characters from a pool refilled 256 ids at a time instead.
const POOL_IDS = 256;
let pool = Buffer.alloc(0);
let poolOffset = 0;

function randomPart(): string {
  if (poolOffset >= pool.length) {
    pool = randomBytes(16 * POOL_IDS);
    poolOffset = 0;
  }
  let out = '';
  for (let i = poolOffset; i < poolOffset + 16; i++) out += ALPHABET[(pool[i] ?? 0) & 31];
  poolOffset += 16;
  return out;
}

export function newId(kind: IdKind, nowMs: number = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${encodeTime(nowMs)}${randomPart()}`;
}

const ID_PATTERN = /^[a-z]{2,4}_[0-9A-HJKMNP-TV-Z]{26}$/;

export function isId(value: string, kind?: IdKind): boolean {
  if (!ID_PATTERN.test(value)) return false;
  return kind === undefined || value.startsWith(`${ID_PREFIXES[kind]}_`);
}
