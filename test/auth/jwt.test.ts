import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT_AUDIENCE, JWT_ISSUER } from '../../src/auth/jwt.js';
import { REFRESH_REUSE_INTERVAL_MS } from '../../src/auth/sessions.js';
import { ManualClock } from '../../src/platform/clock.js';
import { createTestApp, sharedJwtKeyPath, type TestApp } from '../helpers/app.js';
import { newClient } from '../helpers/factories.js';
import { account, bearer, loginAs } from './helpers.js';

const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('JWT login, refresh and logout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.settings.set('userapi.rate_limit', 'off');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs in with email and password and the access token opens the API', async () => {
    const me = await newClient(t.app);
    const tokens = await loginAs(t, me);
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(tokens.refresh_token).toMatch(/^rt_/);
    const res = await account(t, tokens.access_token);
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe(me.row.id);
  });

  it('refuses a wrong password with 401 and throttles repeated failures', async () => {
    const me = await newClient(t.app);
    for (let i = 0; i < 10; i++) {
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: me.email, password: 'wrong-password' },
      });
      expect(res.statusCode).toBe(401);
    }
    const blocked = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: me.email, password: me.password },
    });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('login_throttled');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('failed logins from one address do not lock the owner out from another', async () => {
    const me = await newClient(t.app);
    const attempt = (password: string, remoteAddress: string) =>
      t.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, payload: { email: me.email, password } });
    for (let i = 0; i < 12; i++) await attempt(`guess-${i}`, '203.0.113.50');
    const throttled = await attempt(me.password, '203.0.113.50');
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().code).toBe('login_throttled');
    const owner = await attempt(me.password, '198.51.100.21');
    expect(owner.statusCode).toBe(200);
    expect(owner.json().access_token).toBeTruthy();
  });

  it('throttles failed logins per IP across accounts', async () => {
    const ip = '198.51.100.77';
    let last = 0;
    for (let i = 0; i < 51; i++) {
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: ip,
        payload: { email: `nobody-${i}@example.test`, password: 'guess-guess' },
      });
      last = res.statusCode;
    }
    expect(last).toBe(429);
  });

  it('logout ends the session: its access and refresh tokens stop working', async () => {
    const me = await newClient(t.app);
    const tokens = await loginAs(t, me);
    const other = await loginAs(t, me);
    expect(
      (await t.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(tokens.access_token) })).statusCode,
    ).toBe(204);
    expect((await account(t, tokens.access_token)).statusCode).toBe(401);
    const refresh = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: tokens.refresh_token },
    });
    expect(refresh.statusCode).toBe(401);
    // Another session of the same client is untouched.
    expect((await account(t, other.access_token)).statusCode).toBe(200);
  });

  it('a password change ends every session, on every instance', async () => {
    const twin = await t.twin();
    const me = await newClient(t.app);
    const tokens = await loginAs(t, me);
    expect((await account(twin, tokens.access_token)).statusCode).toBe(200);
    const changed = await t.inject({
      method: 'POST',
      url: '/api/v1/account/password',
      headers: bearer(tokens.access_token),
      payload: { current_password: me.password, new_password: 'a-completely-new-password' },
    });
    expect(changed.statusCode).toBe(204);
    expect((await account(twin, tokens.access_token)).statusCode).toBe(401);
    expect((await account(t, tokens.access_token)).statusCode).toBe(401);
  });

  it('publishes the public key with its kid at /.well-known/jwks.json', async () => {
    const me = await newClient(t.app);
    const tokens = await loginAs(t, me);
    const kid = JSON.parse(Buffer.from(tokens.access_token.split('.')[0]!, 'base64url').toString()).kid;
    const jwks = (await t.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    expect(jwks.keys).toContainEqual(expect.objectContaining({ kid, kty: 'RSA', alg: 'RS256', use: 'sig' }));
    expect(JSON.stringify(jwks)).not.toMatch(/"d"|"p"|"q"/);
  });
});

describe('JWT attacks are refused', () => {
  let t: TestApp;
  let clock: ManualClock;
  let clientId: string;
  let sessionId: string;
  let kid: string;
  let good: string;
  const privatePem = () => readFileSync(sharedJwtKeyPath(), 'utf8');

  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    t = await createTestApp({ clock });
    await t.app.settings.set('userapi.rate_limit', 'off');
    const me = await newClient(t.app);
    clientId = me.row.id;
    good = (await loginAs(t, me)).access_token;
    const [header, payload] = good
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    kid = header.kid;
    sessionId = payload.sid;
  });
  afterAll(async () => {
    await t?.close();
  });

  function claims(overrides: Record<string, unknown> = {}) {
    const now = Math.floor(clock.nowMs() / 1000);
    return {
      iss: JWT_ISSUER,
      aud: JWT_AUDIENCE,
      sub: clientId,
      sid: sessionId,
      iat: now,
      nbf: now,
      exp: now + 600,
      jti: 'x',
      ...overrides,
    };
  }
  function rs256(payload: object, key: string = privatePem(), headerKid = kid) {
    const head = `${b64({ alg: 'RS256', typ: 'JWT', kid: headerKid })}.${b64(payload)}`;
    return `${head}.${sign('sha256', Buffer.from(head), key).toString('base64url')}`;
  }
  async function expect401(token: string, code = 'unauthorized') {
    const res = await account(t, token);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe(code);
  }

  it('accepts a correctly signed token (control)', async () => {
    expect((await account(t, rs256(claims()))).statusCode).toBe(200);
  });

  it('alg: none', async () => {
    await expect401(`${b64({ alg: 'none', typ: 'JWT', kid })}.${b64(claims())}.`);
  });

  it('HS256 signed with the public key as the HMAC secret', async () => {
    const jwks = (await t.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    for (const secret of [JSON.stringify(jwks.keys[0]), privatePem()]) {
      const head = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${b64(claims())}`;
      await expect401(`${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`);
    }
  });

  it('expired → token_expired', async () => {
    const now = Math.floor(clock.nowMs() / 1000);
    await expect401(rs256(claims({ iat: now - 1000, nbf: now - 1000, exp: now - 10 })), 'token_expired');
  });

  it('a valid token expires in place when the clock passes exp (no stale cache)', async () => {
    const token = rs256(claims({ exp: Math.floor(clock.nowMs() / 1000) + 60, jti: 'expiring' }));
    expect((await account(t, token)).statusCode).toBe(200);
    clock.advance(61_000);
    await expect401(token, 'token_expired');
  });

  it('not yet valid', async () => {
    const now = Math.floor(clock.nowMs() / 1000);
    await expect401(rs256(claims({ nbf: now + 300, exp: now + 900 })));
  });

  it('wrong audience and wrong issuer', async () => {
    await expect401(rs256(claims({ aud: 'someone-else' })));
    await expect401(rs256(claims({ iss: 'https://evil.example' })));
  });

  it('tampered payload (signature no longer matches)', async () => {
    const [h, , s] = good.split('.');
    await expect401(`${h}.${b64(claims({ sub: 'cli_01M86WVZA5E1WETD2EBGVN3NTX' }))}.${s}`);
  });

  it('signed by a key this server does not know (same kid, different key) and an unknown kid', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const foreign = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    await expect401(rs256(claims(), foreign));
    await expect401(rs256(claims(), foreign, 'some-other-kid'));
  });

  it('garbage', async () => {
    for (const junk of ['abc', 'a.b.c', `${b64({ alg: 'RS256' })}..`, '']) {
      const res = await t.inject({
        method: 'GET',
        url: '/api/v1/account',
        headers: { authorization: `Bearer ${junk}` },
      });
      expect(res.statusCode).toBe(401);
    }
  });
});

describe('refresh token rotation and its reuse interval', () => {
  let t: TestApp;
  let clock: ManualClock;
  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    t = await createTestApp({ clock });
    await t.app.settings.set('userapi.rate_limit', 'off');
  });
  afterAll(async () => {
    await t?.close();
  });

  const refresh = (refreshToken: string) =>
    t.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: refreshToken } });

  it('four concurrent refreshes with the same token all get the same new pair, and the session lives on', async () => {
    const me = await newClient(t.app);
    const first = await loginAs(t, me);
    const answers = await Promise.all([1, 2, 3, 4].map(() => refresh(first.refresh_token)));
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    const pairs = answers.map((r) => r.json());
    const pair = pairs[0];
    expect(pair.refresh_token).not.toBe(first.refresh_token);
    for (const p of pairs) {
      expect(p.access_token).toBe(pair.access_token);
      expect(p.refresh_token).toBe(pair.refresh_token);
    }
    expect((await account(t, pair.access_token)).statusCode).toBe(200);
    const next = await refresh(pair.refresh_token);
    expect(next.statusCode).toBe(200);
    expect((await account(t, next.json().access_token)).statusCode).toBe(200);
  });

  it('a lost answer: the same token again within the interval gets the same pair, counting down', async () => {
    const me = await newClient(t.app);
    const first = await loginAs(t, me);
    const lost = (await refresh(first.refresh_token)).json();
    clock.advance(10_000);
    const retried = await refresh(first.refresh_token);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({
      access_token: lost.access_token,
      refresh_token: lost.refresh_token,
      expires_in: lost.expires_in - 10,
    });
    expect((await account(t, lost.access_token)).statusCode).toBe(200);
    // What a retry gets is kept sealed: no row holds the new tokens in clear.
    const raw = JSON.stringify(await t.app.db.kysely.selectFrom('refresh_tokens').selectAll().execute());
    expect(raw).not.toContain(lost.refresh_token);
    expect(raw).not.toContain(lost.access_token);
  });

  it('rotates refresh tokens; reusing an old one after the reuse interval ends the whole session', async () => {
    const me = await newClient(t.app);
    const first = await loginAs(t, me);
    const refreshed = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: first.refresh_token },
    });
    expect(refreshed.statusCode).toBe(200);
    const second = refreshed.json();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await account(t, second.access_token)).statusCode).toBe(200);

    clock.advance(REFRESH_REUSE_INTERVAL_MS + 1);
    const replay = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: first.refresh_token },
    });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().detail).toContain('already used');
    // The family is revoked: the newest tokens of that session stop working too.
    expect((await account(t, second.access_token)).statusCode).toBe(401);
    const afterRevoke = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: second.refresh_token },
    });
    expect(afterRevoke.statusCode).toBe(401);
  });
});
