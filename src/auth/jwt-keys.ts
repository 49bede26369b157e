import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import { type Config, resolveInstallPath } from '../config.js';
import type { Clock } from '../platform/clock.js';
import type { Database } from '../platform/db/schema.js';
import type { Logger } from '../platform/log.js';
import type { SettingsStore } from '../settings/store.js';
import { listJwtKeysSeenSince, recordJwtKey } from './store.js';

/**
 * The RSA keys behind RS256 access tokens. The signing key comes from `userapi.jwt_key_path`
 * (PKCS#1 as made by `ssh-keygen -t rsa -b 4096 -m PEM`, or PKCS#8), or is generated under the
 * data directory. Every key that signs is recorded in `jwt_keys`, so every instance can verify
 * tokens signed by any instance's key, and a rotated-out key keeps verifying until its tokens
 * have expired (docs/adr/0003-jwt-keys.md).
 */
export class JwtKeyError extends Error {
  override name = 'JwtKeyError';
}

export const GENERATED_KEY_FILE = 'jwt-private.pem';
const GENERATED_KEY_BITS = 3072;
/** Public keys stay published and accepted this long after their key last signed. */
const RETIRED_KEY_GRACE_MS = 24 * 3600_000;

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  path: string;
}

/** Reads and checks an RSA private key file; every failure names the path and what is wrong. */
export function readRsaPrivateKey(path: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code ?? error);
    throw new JwtKeyError(`JWT key ${path} cannot be read: ${why}.`);
  }
  if (/BEGIN (RSA )?PUBLIC KEY/.test(pem) && !/PRIVATE KEY/.test(pem)) {
    throw new JwtKeyError(`JWT key ${path} is a public key; Portico needs the RSA private key.`);
  }
  if (/ENCRYPTED/.test(pem)) {
    throw new JwtKeyError(`JWT key ${path} is encrypted with a passphrase; make it with -N "" (no passphrase).`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new JwtKeyError(
      `JWT key ${path} is not a PEM private key. Make one with: ssh-keygen -t rsa -b 4096 -m PEM -f private.key -q -N ""`,
    );
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new JwtKeyError(`JWT key ${path} is a ${key.asymmetricKeyType} key; RS256 needs an RSA key.`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) throw new JwtKeyError(`JWT key ${path} is only ${bits} bits; use at least 2048.`);
  return key;
}

/** For the admin's "save" button and `settings set`: throws a JwtKeyError saying why a path is unusable. */
export function validateJwtKeyFile(config: Pick<Config, 'installDir'>, path: string): void {
  readRsaPrivateKey(resolveInstallPath(config, path));
}

function ensureGeneratedKey(dataDir: string, logger: Logger): string {
  const path = join(dataDir, GENERATED_KEY_FILE);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: GENERATED_KEY_BITS });
    writeFileSync(path, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
    chmodSync(path, 0o600);
    logger.info(
      { path },
      `generated a ${GENERATED_KEY_BITS}-bit RSA key for signing access tokens (set userapi.jwt_key_path to use your own)`,
    );
  }
  return path;
}

export function publicJwk(privateKey: KeyObject): JWK {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  return { kty: jwk.kty, n: jwk.n, e: jwk.e };
}

export class JwtKeyRing {
  private signing: SigningKey | undefined;
  private verifying = new Map<string, KeyObject>();
  private published: JWK[] = [];
  private lastRefreshMs = 0;

  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      config: Config;
      settings: SettingsStore;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  get loaded(): boolean {
    return this.signing !== undefined;
  }

  /** The key that signs new tokens; loads the keys on first use. */
  async current(): Promise<SigningKey> {
    if (!this.signing) await this.load();
    return this.signing!;
  }

  /**
   * The public key for a token's kid. An unknown kid may be a key another instance started
   * signing with a moment ago: re-read the key set, at most once a second.
   */
  async verificationKey(kid: string): Promise<KeyObject | undefined> {
    if (!this.signing) await this.load();
    const known = this.verifying.get(kid);
    if (known) return known;
    const now = this.deps.clock.nowMs();
    if (now - this.lastRefreshMs >= 1000) {
      this.lastRefreshMs = now;
      await this.refreshPublished();
    }
    return this.verifying.get(kid);
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.published };
  }

  /** Loads the configured key (throwing JwtKeyError when unusable) and the published key set. */
  async load(): Promise<void> {
    const configured = this.deps.settings.snapshot['userapi.jwt_key_path'];
    const path = configured
      ? resolveInstallPath(this.deps.config, configured)
      : ensureGeneratedKey(this.deps.config.dataDir, this.deps.logger);
    const privateKey = readRsaPrivateKey(path);
    const jwk = publicJwk(privateKey);
    const { calculateJwkThumbprint } = await import('jose');
    const kid = await calculateJwkThumbprint(jwk);
    const now = this.deps.clock.nowMs();
    await recordJwtKey(this.deps.db, kid, JSON.stringify(jwk), now);
    this.signing = { kid, privateKey, path };
    await this.refreshPublished();
  }

  /** On a configuration change: switch keys if the path changed, keep the old one if the new one is unusable. */
  async reload(): Promise<void> {
    if (!this.signing) return;
    try {
      await this.load();
    } catch (error) {
      this.deps.logger.error({ err: error }, 'JWT key change refused; still signing with the previous key');
      await this.refreshPublished();
    }
  }

  private async refreshPublished(): Promise<void> {
    const since = this.deps.clock.nowMs() - RETIRED_KEY_GRACE_MS;
    const rows = await listJwtKeysSeenSince(this.deps.db, since);
    const verifying = new Map<string, KeyObject>();
    const published: JWK[] = [];
    for (const row of rows) {
      const jwk = JSON.parse(row.public_jwk) as JWK;
      verifying.set(row.kid, createPublicKey({ key: jwk as never, format: 'jwk' }));
      published.push({ ...jwk, kid: row.kid, alg: 'RS256', use: 'sig' });
    }
    this.verifying = verifying;
    this.published = published;
  }
}
