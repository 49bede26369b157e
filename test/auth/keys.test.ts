import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GENERATED_KEY_FILE, JwtKeyError, validateJwtKeyFile } from '../../src/auth/jwt-keys.js';
import { INSTALL_DIR } from '../../src/config.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newClient } from '../helpers/factories.js';
import { account, loginAs } from './helpers.js';

function sshKeygen(bits: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-sshkey-'));
  const path = join(dir, 'private.key');
  // Exactly the operator's command from the README (2048 bits where the size does not matter, for speed).
  execFileSync('ssh-keygen', ['-t', 'rsa', '-b', String(bits), '-m', 'PEM', '-f', path, '-q', '-N', '']);
  return path;
}

const opened: TestApp[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()?.close();
});
async function app(options: Parameters<typeof createTestApp>[0] = {}) {
  const t = await createTestApp(options);
  await t.app.settings.set('userapi.rate_limit', 'off');
  opened.push(t);
  return t;
}

async function loginWorks(t: TestApp): Promise<string> {
  const me = await newClient(t.app);
  const tokens = await loginAs(t, me);
  expect((await account(t, tokens.access_token)).statusCode).toBe(200);
  return tokens.access_token;
}

describe('JWT signing keys', () => {
  it('accepts exactly the file made by ssh-keygen -t rsa -b 4096 -m PEM -N "" (PKCS#1)', async () => {
    const path = sshKeygen(4096);
    const t = await app();
    await t.app.settings.set('userapi.jwt_key_path', path);
    await t.app.jwtKeys.load();
    await loginWorks(t);
  });

  it('accepts PKCS#8, and a path relative to the install directory', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dir = mkdtempSync(join(tmpdir(), 'portico-pkcs8-'));
    const path = join(dir, 'key.pem');
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const t = await app();
    await t.app.settings.set('userapi.jwt_key_path', relative(INSTALL_DIR, path));
    await t.app.jwtKeys.load();
    expect((await t.app.jwtKeys.current()).path).toBe(path);
    await loginWorks(t);
  });

  it('refuses unusable files with a message naming the path and the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-badkey-'));
    const missing = join(dir, 'missing.key');
    expect(() => validateJwtKeyFile({ installDir: INSTALL_DIR }, missing)).toThrow(
      `JWT key ${missing} cannot be read: no such file.`,
    );

    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ec = join(dir, 'ec.key');
    writeFileSync(ec, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => validateJwtKeyFile({ installDir: INSTALL_DIR }, ec)).toThrow(/is a ec key; RS256 needs an RSA key/);

    const pub = join(dir, 'pub.key');
    writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
    expect(() => validateJwtKeyFile({ installDir: INSTALL_DIR }, pub)).toThrow(/is a public key/);

    const junk = join(dir, 'junk.key');
    writeFileSync(junk, 'hello');
    expect(() => validateJwtKeyFile({ installDir: INSTALL_DIR }, junk)).toThrow(JwtKeyError);

    if (process.getuid?.() !== 0) {
      const locked = sshKeygen(2048);
      chmodSync(locked, 0o000);
      expect(() => validateJwtKeyFile({ installDir: INSTALL_DIR }, locked)).toThrow(/permission denied/);
    }
  });

  it('generates a key under the data directory on first use when none is configured, and reuses it', async () => {
    const t = await app({ jwtKey: 'generated' });
    const path = join(t.config.dataDir, GENERATED_KEY_FILE);
    expect(existsSync(path)).toBe(false);
    await loginWorks(t);
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const kid = (await t.app.jwtKeys.current()).kid;
    await t.app.jwtKeys.load();
    expect((await t.app.jwtKeys.current()).kid).toBe(kid);
  });

  it('rotates without logging anyone out: old tokens verify, the JWKS lists both keys', async () => {
    const t = await app();
    const oldToken = await loginWorks(t);
    const oldKid = (await t.app.jwtKeys.current()).kid;
    await t.app.settings.set('userapi.jwt_key_path', sshKeygen(2048));
    await t.app.watcher.check(true);
    const newKid = (await t.app.jwtKeys.current()).kid;
    expect(newKid).not.toBe(oldKid);
    expect((await account(t, oldToken)).statusCode).toBe(200);
    await loginWorks(t);
    const kids = (await t.inject({ method: 'GET', url: '/.well-known/jwks.json' }))
      .json()
      .keys.map((k: { kid: string }) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([oldKid, newKid]));
  });

  it('keeps signing with the previous key when a change points at an unusable file', async () => {
    const t = await app();
    const kid = (await t.app.jwtKeys.current()).kid;
    await t.app.settings.set('userapi.jwt_key_path', '/nonexistent/portico.key');
    await t.app.watcher.check(true);
    expect((await t.app.jwtKeys.current()).kid).toBe(kid);
    await loginWorks(t);
  });
});
