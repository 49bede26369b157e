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
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

function encodeTime(ms: number): string {
  let out = '';
  let rest = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function encodeRandom(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte & 31];
  return out;
}

// One getrandom() call per id costs several microseconds on the request path (every request gets
// an id); ids draw their 16 random bytes from a pool refilled 256 ids at a time instead.
const POOL_IDS = 256;
let pool = Buffer.alloc(0);
let poolOffset = 0;

function randomSlice(): Buffer {
  if (poolOffset >= pool.length) {
    pool = randomBytes(16 * POOL_IDS);
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  return slice;
}

export function newId(kind: IdKind, nowMs: number = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${encodeTime(nowMs)}${encodeRandom(randomSlice())}`;
}

const ID_PATTERN = /^[a-z]{2,4}_[0-9A-HJKMNP-TV-Z]{26}$/;

export function isId(value: string, kind?: IdKind): boolean {
  if (!ID_PATTERN.test(value)) return false;
  return kind === undefined || value.startsWith(`${ID_PREFIXES[kind]}_`);
}
