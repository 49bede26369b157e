import { beforeAll, describe, expect, it } from 'vitest';
import { parseSetting, SettingError } from '../../src/settings/definitions.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';

describe('settings', () => {
  it.each([
    ['userapi.rate_limit', '100/60s', { points: 100, durationS: 60 }],
    ['userapi.rate_limit', '1000/1h', { points: 1000, durationS: 3600 }],
    ['userapi.rate_limit', '5/m', { points: 5, durationS: 60 }],
    ['userapi.rate_limit', 'off', null],
    ['userapi.auth_methods', 'JWT, basic', ['jwt', 'basic']],
    ['trust_proxy', 'loopback', { mode: 'list', addresses: ['loopback'] }],
    ['trust_proxy', '1', { mode: 'hops', hops: 1 }],
    ['userapi.logging', 'on', true],
  ] as const)('%s accepts %j', (key, raw, expected) => {
    expect(parseSetting(key, raw)).toEqual(expected);
  });

  it.each([
    ['userapi.rate_limit', '100', /must look like 100\/60s/],
    ['userapi.rate_limit', '0/60s', /must look like/],
    ['userapi.auth_methods', 'basic,oauth', /one or more of: basic, jwt, token \(unknown: oauth\)/],
    ['userapi.auth_methods', '', /one or more of/],
    ['userapi.docs.logo_url', 'javascript:alert(1)', /http\(s\) URL/],
    ['trust_proxy', 'everyone', /off", a number of proxy hops/],
    ['userapi.logging', 'maybe', /"on" or "off"/],
  ] as const)('%s refuses %j saying what is accepted', (key, raw, message) => {
    expect(() => parseSetting(key, raw)).toThrow(SettingError);
    expect(() => parseSetting(key, raw)).toThrow(message);
  });

  describe('in the database', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });

    it('a change on one instance reaches another within a second, without a restart', async () => {
      const twin = await t.twin();
      await twin.app.watcher.start();
      await t.app.settings.set('userapi.docs.company_name', 'Propagated Ltd');
      await waitFor(() => twin.app.settings.snapshot['userapi.docs.company_name'] === 'Propagated Ltd', {
        timeoutMs: 1000,
        message: 'the setting reaching the other instance',
      });
    });

    it('prints the SMTP URL without its password (portico settings get), while the sender still has it', async () => {
      await t.app.settings.set('email.smtp_url', 'smtps://mailer:s3cret-pass@mail.example.com:465');
      const row = t.app.settings.list().find((r) => r.key === 'email.smtp_url');
      expect(row?.value).toBe('smtps://mailer@mail.example.com:465 (password hidden)');
      expect(JSON.stringify(t.app.settings.list())).not.toContain('s3cret-pass');
      expect(t.app.settings.snapshot['email.smtp_url']).toContain('s3cret-pass');
      await t.app.settings.set('email.smtp_url', 'smtp://relay.example.com:25');
      expect(t.app.settings.list().find((r) => r.key === 'email.smtp_url')?.value).toBe('smtp://relay.example.com:25');
    });

    it('an unknown key is refused with the list of known keys', async () => {
      await expect(t.app.settings.set('userapi.nope', 'x')).rejects.toThrow(
        /Unknown setting "userapi.nope". Known settings: .*userapi.rate_limit/,
      );
    });
  });
});

describe('trust_proxy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.settings.set('userapi.rate_limit', '1/60s');
  });

  const viaProxy = (clientIp: string) =>
    t.inject({
      method: 'GET',
      url: '/api/v1/categories',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': clientIp },
    });

  it('off: every client behind the proxy shares the proxy’s address (and its limit)', async () => {
    await t.app.settings.set('trust_proxy', 'off');
    expect((await viaProxy('203.0.113.1')).statusCode).toBe(200);
    expect((await viaProxy('203.0.113.2')).statusCode).toBe(429);
  });

  it('loopback: the forwarded client address is used, so each client has its own limit', async () => {
    await t.app.settings.set('trust_proxy', 'loopback');
    expect((await viaProxy('198.51.100.1')).statusCode).toBe(200);
    expect((await viaProxy('198.51.100.2')).statusCode).toBe(200);
    expect((await viaProxy('198.51.100.1')).statusCode).toBe(429);
  });

  it('a forwarded header from an untrusted peer is ignored', async () => {
    await t.app.settings.set('trust_proxy', '10.9.9.9');
    const spoof = (ip: string) =>
      t.inject({
        method: 'GET',
        url: '/api/v1/categories',
        remoteAddress: '192.0.2.50',
        headers: { 'x-forwarded-for': ip },
      });
    expect((await spoof('192.0.2.101')).statusCode).toBe(200);
    expect((await spoof('192.0.2.102')).statusCode).toBe(429);
  });
});
