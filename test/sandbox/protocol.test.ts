import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.js';
import { NGINX_500, type SandboxPanel, startSandboxPanel } from '../../src/sandbox/server.js';
import { newAccessKey } from '../../src/sandbox/state.js';

/** The emulator answers byte for byte like HestiaCP (docs/hestia-protocol.md §3), for both auth modes. */
const insecure = new Agent({ connect: { rejectUnauthorized: false } });

async function post(panel: SandboxPanel, fields: Record<string, string>, path = '/api/') {
  const res = await request(`https://${panel.host}:${panel.port}${path}`, {
    method: 'POST',
    dispatcher: insecure,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

describe('sandbox panel protocol (access-key mode)', () => {
  let panel: SandboxPanel;
  let key: Record<string, string>;
  beforeAll(async () => {
    panel = await startSandboxPanel();
    key = { access_key: panel.accessKey.id, secret_key: panel.accessKey.secret };
  });
  afterAll(async () => {
    await panel?.close();
  });

  it('success without output: 204, empty body, Hestia-Exit-Code 0', async () => {
    const res = await post(panel, {
      ...key,
      cmd: 'v-add-user',
      arg1: 'alice1',
      arg2: 'S3cret-pass',
      arg3: 'alice@example.com',
      arg4: 'starter',
    });
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers['hestia-exit-code']).toBe('0');
  });

  it('success with JSON output: 200, application/json; charset=utf-8, values all strings', async () => {
    const res = await post(panel, { ...key, cmd: 'v-list-user', arg1: 'alice1', arg2: 'json' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['hestia-exit-code']).toBe('0');
    const user = JSON.parse(res.body).alice1;
    expect(user).toMatchObject({ PACKAGE: 'starter', CONTACT: 'alice@example.com', SUSPENDED: 'no', WEB_DOMAINS: '1' });
    expect(Object.values(user).every((v) => typeof v === 'string')).toBe(true);
  });

  it('an empty collection is {\\n} served as text/html', async () => {
    const res = await post(panel, { ...key, cmd: 'v-list-web-domains', arg1: 'alice1', arg2: 'json' });
    expect(res.status).toBe(200);
    expect(res.body).toBe('{\n}');
    expect(res.headers['content-type']).toBe('text/html; charset=UTF-8');
  });

  it('failure: HTTP status by exit code, trimmed Error text, the code in Hestia-Exit-Code', async () => {
    const exists = await post(panel, { ...key, cmd: 'v-add-user', arg1: 'alice1', arg2: 'x', arg3: 'a@b.co' });
    expect([exists.status, exists.headers['hestia-exit-code'], exists.body]).toEqual([
      400,
      '4',
      'Error: user alice1 exists',
    ]);
    const missing = await post(panel, { ...key, cmd: 'v-suspend-user', arg1: 'nobody1' });
    expect([missing.status, missing.headers['hestia-exit-code'], missing.body]).toEqual([
      400,
      '3',
      "Error: user nobody1 doesn't exist",
    ]);
    const format = await post(panel, { ...key, cmd: 'v-add-user', arg1: '1bad', arg2: 'x', arg3: 'a@b.co' });
    expect([format.status, format.headers['hestia-exit-code'], format.body]).toEqual([
      422,
      '2',
      'Error: invalid user format :: 1bad',
    ]);
    const usage = await post(panel, { ...key, cmd: 'v-add-user', arg1: 'bob1' });
    expect([usage.status, usage.headers['hestia-exit-code'], usage.body]).toEqual([
      400,
      '1',
      'Usage: v-add-user USER PASSWORD EMAIL [PACKAGE] [NAME]',
    ]);
  });

  it('suspending twice answers 5 (not 6); unsuspend is always 0', async () => {
    expect((await post(panel, { ...key, cmd: 'v-suspend-user', arg1: 'alice1' })).status).toBe(204);
    const again = await post(panel, { ...key, cmd: 'v-suspend-user', arg1: 'alice1' });
    expect([again.status, again.headers['hestia-exit-code']]).toEqual([401, '5']);
    expect((await post(panel, { ...key, cmd: 'v-unsuspend-user', arg1: 'alice1' })).status).toBe(204);
    expect((await post(panel, { ...key, cmd: 'v-unsuspend-user', arg1: 'alice1' })).status).toBe(204);
  });

  it('returncode=yes: 200 with the bare code', async () => {
    const ok = await post(panel, { ...key, returncode: 'yes', cmd: 'v-unsuspend-user', arg1: 'alice1' });
    expect([ok.status, ok.body]).toEqual([200, '0']);
    const bad = await post(panel, { ...key, returncode: 'yes', cmd: 'v-suspend-user', arg1: 'nobody1' });
    expect([bad.status, bad.body, bad.headers['hestia-exit-code']]).toEqual([200, '3', '3']);
  });

  it('trims every argument and ignores arg14 and beyond', async () => {
    await post(panel, { ...key, cmd: 'v-add-user', arg1: ' carol1 ', arg2: 'Trail1ng ', arg3: 'carol@example.com' });
    expect(panel.state.users.carol1?.password).toBe('Trail1ng');
  });

  it('API-level errors: bad command, missing command, unknown command, no data', async () => {
    const invalid = await post(panel, { ...key, cmd: 'v-add-user;rm' });
    expect([invalid.status, invalid.headers['hestia-exit-code'], invalid.body]).toEqual([
      422,
      '2',
      'Error: v-add-user;rm command invalid',
    ]);
    const none = await post(panel, { ...key });
    expect([none.status, none.body]).toEqual([422, 'Error: Command not provided']);
    const unknown = await post(panel, { ...key, cmd: 'v-list-packages' });
    expect([unknown.status, unknown.headers['hestia-exit-code'], unknown.body]).toEqual([
      401,
      '10',
      'Error: Command v-list-packages not found',
    ]);
    const nothing = await post(panel, {});
    expect(nothing.status).toBe(405);
    expect(nothing.body).toBe(
      'Error: data received is null or invalid, check https://hestiacp.com/docs/server-administration/rest-api.html',
    );
  });

  it('/api without the slash redirects (301)', async () => {
    const res = await post(panel, key, '/api');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/api/');
  });

  it('a NUL byte in an argument is a PHP fatal: nginx HTML 500', async () => {
    const res = await post(panel, { ...key, cmd: 'v-list-user', arg1: 'alice\u00001' });
    expect([res.status, res.body]).toEqual([500, NGINX_500]);
  });

  it('accepts ID:SECRET in `hash` as an access key, and raw JSON bodies', async () => {
    const viaHash = await post(panel, {
      hash: `${key.access_key}:${key.secret_key}`,
      cmd: 'v-list-sys-info',
      arg1: 'json',
    });
    expect(viaHash.status).toBe(200);
    const res = await request(`https://${panel.host}:${panel.port}/api/`, {
      method: 'POST',
      dispatcher: insecure,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...key, cmd: 'v-list-sys-info', arg1: 'json' }),
    });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(await res.body.text()).sysinfo.HESTIA).toBe('1.10.3');
  });

  it('wrong secret and unknown key are 401 with code 9 and the exact texts', async () => {
    const wrong = await post(panel, {
      access_key: key.access_key!,
      secret_key: 'x'.repeat(40),
      cmd: 'v-list-sys-info',
    });
    expect([wrong.status, wrong.headers['hestia-exit-code'], wrong.body]).toEqual([
      401,
      '9',
      `Error: Invalid secret key for key ${key.access_key}`,
    ]);
    const unknown = await post(panel, {
      access_key: 'A'.repeat(20),
      secret_key: 'x'.repeat(40),
      cmd: 'v-list-sys-info',
    });
    expect(unknown.body).toBe(`Error: key ${'A'.repeat(20)} doesn't exist`);
  });

  it('a user key may only act on its own user, with the literal backslashes of the real body', async () => {
    const userKey = newAccessKey('alice1', ['portico']);
    panel.state.keys.push(userKey);
    panel.state.profiles.portico = ['v-list-user'];
    panel.state.switches.API_SYSTEM = 2;
    try {
      const own = await post(panel, {
        access_key: userKey.id,
        secret_key: userKey.secret,
        cmd: 'v-list-user',
        arg1: 'alice1',
        arg2: 'json',
      });
      expect(own.status).toBe(200);
      const other = await post(panel, {
        access_key: userKey.id,
        secret_key: userKey.secret,
        cmd: 'v-list-user',
        arg1: 'carol1',
        arg2: 'json',
      });
      expect([other.status, other.headers['hestia-exit-code']]).toEqual([401, '10']);
      expect(other.body).toBe(`Error: Key ${userKey.id} - the "user" argument doesn\\'t match the key\\'s user`);
      const forbidden = await post(panel, {
        access_key: userKey.id,
        secret_key: userKey.secret,
        cmd: 'v-delete-user',
        arg1: 'alice1',
      });
      expect(forbidden.body).toBe(`Error: Key ${userKey.id} don't have permission to run the command v-delete-user`);
      panel.state.switches.API_SYSTEM = 1;
      const adminOnly = await post(panel, {
        access_key: userKey.id,
        secret_key: userKey.secret,
        cmd: 'v-list-user',
        arg1: 'alice1',
        arg2: 'json',
      });
      expect([adminOnly.status, adminOnly.headers['hestia-exit-code']]).toEqual([401, '21']);
    } finally {
      panel.state.switches.API_SYSTEM = 1;
    }
  });

  it('switches: access keys off (11), IP not allowed (10)', async () => {
    panel.state.switches.API_SYSTEM = 0;
    const off = await post(panel, { ...key, cmd: 'v-list-sys-info' });
    expect([off.status, off.headers['hestia-exit-code'], off.body]).toEqual([
      400,
      '11',
      'Error: API has been disabled',
    ]);
    panel.state.switches.API_SYSTEM = 1;
    panel.state.switches.API_ALLOWED_IP = '192.0.2.1';
    const ip = await post(panel, { ...key, cmd: 'v-list-sys-info' });
    expect([ip.status, ip.headers['hestia-exit-code'], ip.body]).toEqual([
      401,
      '10',
      'Error: IP is not allowed to connect with API',
    ]);
    panel.state.switches.API_ALLOWED_IP = '';
    expect((await post(panel, { ...key, cmd: 'v-list-sys-info' })).status).toBe(401);
    panel.state.switches.API_ALLOWED_IP = '127.0.0.1';
    expect((await post(panel, { ...key, cmd: 'v-list-sys-info', arg1: 'json' })).status).toBe(200);
    panel.state.switches.API_ALLOWED_IP = 'allow-all';
  });

  it('v-add-web-domain: checks in the panel’s order (system off → 11 before format)', async () => {
    panel.state.switches.WEB_SYSTEM = '';
    const off = await post(panel, { ...key, cmd: 'v-add-web-domain', arg1: 'alice1', arg2: 'not a domain' });
    expect([off.status, off.headers['hestia-exit-code']]).toEqual([400, '11']);
    panel.state.switches.WEB_SYSTEM = 'nginx';
    const bad = await post(panel, { ...key, cmd: 'v-add-web-domain', arg1: 'alice1', arg2: 'not a domain' });
    expect(bad.headers['hestia-exit-code']).toBe('2');
    expect(
      (await post(panel, { ...key, cmd: 'v-add-web-domain', arg1: 'alice1', arg2: 'WWW.Bücher.example' })).status,
    ).toBe(204);
    expect(Object.keys(panel.state.users.alice1!.web)).toEqual(['xn--bcher-kva.example']);
    const limit = await post(panel, { ...key, cmd: 'v-add-web-domain', arg1: 'alice1', arg2: 'second.example' });
    expect([limit.headers['hestia-exit-code'], limit.body]).toEqual([
      '8',
      'Error: WEB_DOMAINS limit is reached :: upgrade user package',
    ]);
    const taken = await post(panel, { ...key, cmd: 'v-add-web-domain', arg1: 'carol1', arg2: 'bücher.example' });
    expect([taken.headers['hestia-exit-code'], taken.body]).toEqual([
      '4',
      'Error: Web domain xn--bcher-kva.example exists',
    ]);
  });
});

describe('sandbox panel protocol (legacy mode)', () => {
  let panel: SandboxPanel;
  beforeAll(async () => {
    panel = await startSandboxPanel();
  });
  afterAll(async () => {
    await panel?.close();
  });

  it('API=no: the concatenated disabled message, code 11', async () => {
    const res = await post(panel, { user: 'admin', password: 'x', cmd: 'v-list-sys-info' });
    expect([res.status, res.headers['hestia-exit-code'], res.body]).toEqual([
      400,
      '11',
      'Error: API has been disabledError: API Disabled',
    ]);
  });

  it('API=yes: failures are HTTP 200 with Error text and a newline; success without output is OK; unknown command is OK', async () => {
    panel.state.switches.API = 'yes';
    const root = { user: 'admin', password: panel.state.users.admin!.password };
    const added = await post(panel, {
      ...root,
      cmd: 'v-add-user',
      arg1: 'dave1',
      arg2: 'pw-pw-pw-1',
      arg3: 'd@example.com',
    });
    expect([added.status, added.body, added.headers['hestia-exit-code']]).toEqual([200, 'OK', undefined]);
    const dup = await post(panel, {
      ...root,
      cmd: 'v-add-user',
      arg1: 'dave1',
      arg2: 'pw-pw-pw-1',
      arg3: 'd@example.com',
    });
    expect([dup.status, dup.body]).toEqual([200, 'Error: user dave1 exists\n']);
    expect((await post(panel, { ...root, cmd: 'v-no-such-thing' })).body).toBe('OK');
    expect((await post(panel, { ...root, returncode: 'yes', cmd: 'v-suspend-user', arg1: 'nobody1' })).body).toBe('3');
    const wrong = await post(panel, { user: 'admin', password: 'wrong', cmd: 'v-list-sys-info' });
    expect(wrong.body).toBe('Error: authentication failed');
  });
});

describe('fail2ban', () => {
  // The panel's fail2ban ignores loopback; these tests make the sandbox count it like any address.
  it('bans the caller’s address after 5 failed logins within 10 minutes, for 10 minutes', async () => {
    const clock = new ManualClock(Date.now());
    const panel = await startSandboxPanel({ clock, banLoopback: true });
    try {
      const bad = { access_key: panel.accessKey.id, secret_key: 'y'.repeat(40), cmd: 'v-list-sys-info' };
      for (let i = 0; i < 5; i++) expect((await post(panel, bad)).status).toBe(401);
      await expect(post(panel, { ...bad, secret_key: panel.accessKey.secret })).rejects.toThrow();
      clock.advance(10 * 60_000 + 1);
      expect((await post(panel, { ...bad, secret_key: panel.accessKey.secret, arg1: 'json' })).status).toBe(200);
    } finally {
      await panel.close();
    }
  });

  it('failures spread over more than 10 minutes do not ban', async () => {
    const clock = new ManualClock(Date.now());
    const panel = await startSandboxPanel({ clock, banLoopback: true });
    try {
      const bad = { access_key: panel.accessKey.id, secret_key: 'y'.repeat(40), cmd: 'v-list-sys-info' };
      for (let i = 0; i < 8; i++) {
        await post(panel, bad);
        clock.advance(3 * 60_000);
      }
      expect((await post(panel, { ...bad, secret_key: panel.accessKey.secret, arg1: 'json' })).status).toBe(200);
    } finally {
      await panel.close();
    }
  });

  it('never bans loopback unless told to, as the panel’s fail2ban ignores 127.0.0.0/8', async () => {
    const panel = await startSandboxPanel();
    try {
      const bad = { access_key: panel.accessKey.id, secret_key: 'y'.repeat(40), cmd: 'v-list-sys-info' };
      for (let i = 0; i < 8; i++) expect((await post(panel, bad)).status).toBe(401);
      expect((await post(panel, { ...bad, secret_key: panel.accessKey.secret, arg1: 'json' })).status).toBe(200);
    } finally {
      await panel.close();
    }
  });
});
