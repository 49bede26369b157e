import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../log.js';

/**
 * Secrets at rest (panel credentials, generated panel passwords) are sealed with AES-256-GCM under
 * the master key: PORTICO_MASTER_KEY (base64, 32 bytes), PORTICO_MASTER_KEY_FILE, or a key
 * generated under the data directory on first use. GCM's tag means a wrong key is an error,
 * never garbage.
 */
export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

export const MASTER_KEY_FILE = 'master.key';

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new SecretBoxError('The master key must be 32 bytes (base64-encoded).');
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1:${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${body.toString('base64url')}`;
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || body === undefined)
      throw new SecretBoxError('A stored secret is not in a format this version reads.');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError(
        'A stored secret cannot be decrypted with this master key. Use the master key the secrets were stored with (PORTICO_MASTER_KEY or PORTICO_MASTER_KEY_FILE).',
      );
    }
  }
}

function decode(raw: string, source: string): Buffer {
  const key = Buffer.from(raw.trim(), 'base64');
  if (key.length !== 32)
    throw new SecretBoxError(
      `The master key from ${source} must be 32 bytes, base64-encoded (e.g. openssl rand -base64 32).`,
    );
  return key;
}

/** Where the master key comes from (PORTICO_MASTER_KEY, PORTICO_MASTER_KEY_FILE, PORTICO_DATA_DIR). */
export interface MasterKeySource {
  masterKey: string | undefined;
  masterKeyFile: string | undefined;
  dataDir: string;
}

/** The master key as configured, generating one in the data directory if none is. */
export function loadSecretBox(config: MasterKeySource, logger: Logger): SecretBox {
  if (config.masterKey) return new SecretBox(decode(config.masterKey, 'PORTICO_MASTER_KEY'));
  const path = config.masterKeyFile ?? join(config.dataDir, MASTER_KEY_FILE);
  if (!existsSync(path)) {
    if (config.masterKeyFile) throw new SecretBoxError(`PORTICO_MASTER_KEY_FILE ${path} does not exist.`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    chmodSync(path, 0o600);
    logger.info(
      { path },
      'generated the master key that encrypts panel credentials at rest; back it up with the database',
    );
  }
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SecretBoxError(`The master key file ${path} cannot be read: ${(error as Error).message}`);
  }
  return new SecretBox(decode(raw, path));
}
