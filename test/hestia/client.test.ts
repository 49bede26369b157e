import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlreadyGone, isAlreadySuspended, isExists } from '../../src/hestia/panel.js';
import { ctx, type PanelHarness, startPanelHarness } from '../helpers/panel.js';

const PASSWORD = 'Pa55-word-for-test';

describe('HestiaCP client against the sandbox panel over HTTPS (pinned)', () => {
  let h: PanelHarness;
  beforeAll(async () => {
    h = await startPanelHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates, reads, suspends, unsuspends, changes package and password, terminates', async () => {
    const a = h.adapter;
    expect(
      await a.createAccount(ctx, {
        username: 'u1alpha',
        password: PASSWORD,
        email: 'alpha@example.com',
        packageName: 'starter',
      }),
    ).toEqual({ ok: true, value: undefined });
    const read = await a.readAccount(ctx, 'u1alpha');
    expect(read).toMatchObject({
      ok: true,
      value: { username: 'u1alpha', packageName: 'starter', email: 'alpha@example.com', suspended: false },
    });
    expect(read.ok && read.value.usage).toMatchObject({ webDomains: 0, webDomainsLimit: 1, diskQuotaMb: 2048 });

    expect((await a.suspendAccount(ctx, 'u1alpha')).ok).toBe(true);
    const again = await a.suspendAccount(ctx, 'u1alpha');
    expect(!again.ok && isAlreadySuspended(again.error)).toBe(true);
    expect(!again.ok && again.error).toMatchObject({
      code: 'E_SUSPENDED',
      exitCode: 5,
      retryable: false,
      authFailure: false,
    });
    expect((await a.unsuspendAccount(ctx, 'u1alpha')).ok).toBe(true);

    expect((await a.changePackage(ctx, 'u1alpha', 'pro')).ok).toBe(true);
    const pkg = await a.readAccount(ctx, 'u1alpha');
    expect(pkg.ok && pkg.value.packageName).toBe('pro');
    const noPkg = await a.changePackage(ctx, 'u1alpha', 'nonexistent');
    expect(!noPkg.ok && noPkg.error.code).toBe('E_NOTEXIST');

    expect((await a.changePassword(ctx, 'u1alpha', 'Another-Pa55word')).ok).toBe(true);
    expect(h.panel.state.users.u1alpha?.password).toBe('Another-Pa55word');

    expect((await a.terminateAccount(ctx, 'u1alpha')).ok).toBe(true);
    const gone = await a.terminateAccount(ctx, 'u1alpha');
    expect(!gone.ok && isAlreadyGone(gone.error)).toBe(true);
  });

  it('creating an existing user is E_EXISTS (for adoption rules to decide)', async () => {
    await h.adapter.createAccount(ctx, {
      username: 'u2beta',
      password: PASSWORD,
      email: 'b@example.com',
      packageName: 'starter',
    });
    const dup = await h.adapter.createAccount(ctx, {
      username: 'u2beta',
      password: PASSWORD,
      email: 'b@example.com',
      packageName: 'starter',
    });
    expect(!dup.ok && isExists(dup.error)).toBe(true);
  });

  it('lists packages with limits (unlimited → null)', async () => {
    const res = await h.adapter.listPackages(ctx);
    expect(res.ok).toBe(true);
    const business = res.ok ? res.value.find((p) => p.name === 'business') : undefined;
    expect(business).toMatchObject({ webDomains: null, databases: 20 });
  });

  it('adds, lists and deletes web, DNS and mail domains and databases', async () => {
    const a = h.adapter;
    await a.createAccount(ctx, { username: 'u3gamma', password: PASSWORD, email: 'g@example.com', packageName: 'pro' });
    expect((await a.addDomain(ctx, 'web', 'u3gamma', 'Gamma.Example')).ok).toBe(true);
    expect((await a.addDomain(ctx, 'dns', 'u3gamma', 'gamma.example', { ip: '203.0.113.10' })).ok).toBe(true);
    expect((await a.addDomain(ctx, 'mail', 'u3gamma', 'gamma.example')).ok).toBe(true);
    for (const kind of ['web', 'dns', 'mail'] as const) {
      const list = await a.listDomains(ctx, kind, 'u3gamma');
      expect(list.ok && list.value.map((d) => d.domain)).toEqual(['gamma.example']);
    }
    expect((await a.addDatabase(ctx, 'u3gamma', { database: 'shop', dbUser: 'shop', password: PASSWORD })).ok).toBe(
      true,
    );
    const dbs = await a.listDatabases(ctx, 'u3gamma');
    expect(dbs.ok && dbs.value).toEqual([
      { name: 'u3gamma_shop', dbUser: 'u3gamma_shop', type: 'mysql', suspended: false },
    ]);
    expect((await a.deleteDatabase(ctx, 'u3gamma', 'u3gamma_shop')).ok).toBe(true);
    expect((await a.deleteDomain(ctx, 'mail', 'u3gamma', 'gamma.example')).ok).toBe(true);
    const empty = await a.listDomains(ctx, 'mail', 'u3gamma');
    expect(empty).toEqual({ ok: true, value: [] });
    const noIp = await a.addDomain(ctx, 'dns', 'u3gamma', 'other.example');
    expect(!noIp.ok && noIp.error.code).toBe('INVALID_ARGUMENT');
  });

  it('reports the panel version as health', async () => {
    expect(await h.adapter.health(ctx)).toMatchObject({ reachable: true, version: '1.10.3' });
  });

  it('refuses bad arguments before any byte is sent — a newline in a password above all', async () => {
    const before = h.panel.requestCount();
    const attempts = [
      h.adapter.createAccount(ctx, {
        username: 'u4delta',
        password: 'abc\nroot:owned',
        email: 'd@example.com',
        packageName: 'starter',
      }),
      h.adapter.changePassword(ctx, 'u4delta', ' leading-space'),
      h.adapter.changePassword(ctx, 'u4delta', 'tab\tinside'),
      h.adapter.changePassword(ctx, 'u4delta', ''),
      h.adapter.suspendAccount(ctx, 'admin'),
      h.adapter.suspendAccount(ctx, '123456'),
      h.adapter.createAccount(ctx, {
        username: 'u4delta',
        password: PASSWORD,
        email: 'not-an-email',
        packageName: 'starter',
      }),
      h.adapter.addDomain(ctx, 'web', 'u4delta', 'www.example.com'),
      h.adapter.addDomain(ctx, 'web', 'u4delta', 'bad domain.com'),
      h.client.call(ctx, 'v-list-user', ['u4delta', '']),
      h.client.call(ctx, 'v-list-user', ['back\\slash']),
    ];
    for (const result of await Promise.all(attempts)) {
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error).toMatchObject({ code: 'INVALID_ARGUMENT', retryable: false });
    }
    expect(h.panel.requestCount()).toBe(before);
  });

  it('never writes a password, key or secret into a log line', async () => {
    await h.adapter.createAccount(ctx, {
      username: 'u5eps',
      password: 'Very-Secret-Pa55',
      email: 'e@example.com',
      packageName: 'starter',
    });
    await h.adapter.changePassword(ctx, 'u5eps', 'Other-Secret-Pa55');
    const all = h.logs.join('');
    expect(all).toContain('"cmd":"v-add-user"');
    expect(all).toContain(ctx.correlationId);
    for (const secret of ['Very-Secret-Pa55', 'Other-Secret-Pa55', h.panel.accessKey.secret])
      expect(all).not.toContain(secret);
    const line = JSON.parse(h.logs.find((l) => l.includes('"cmd":"v-add-user"') && l.includes('u5eps'))!);
    expect(line).toMatchObject({
      server: 'sandbox-test',
      exitCode: 0,
      code: 'OK',
      httpStatus: 204,
      args: ['u5eps', '[REDACTED]', 'e@example.com', 'starter'],
    });
    expect(typeof line.durationMs).toBe('number');
  });
});

describe('panel failures are classified for the engine (never retried by the client)', () => {
  let h: PanelHarness;
  beforeAll(async () => {
    h = await startPanelHarness({ client: { timeouts: { listMs: 300, mutationMs: 300 } } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('HTML 500 → SERVER_ERROR, retryable', async () => {
    h.panel.faults.add({ kind: 'html500', command: 'v-list-sys-info' });
    const res = await h.client.call(ctx, 'v-list-sys-info', ['json']);
    expect(!res.ok && res.error).toMatchObject({ code: 'SERVER_ERROR', retryable: true });
  });

  it.each([13, 14, 20])('exit code %i → retryable', async (code) => {
    h.panel.faults.add({ kind: 'exit', code, command: 'v-suspend-user' });
    const res = await h.adapter.suspendAccount(ctx, 'someone1');
    expect(!res.ok && res.error).toMatchObject({ exitCode: code, retryable: true, authFailure: false });
  });

  it('a timeout → TIMEOUT, retryable, saying the command may have run', async () => {
    h.panel.faults.add({ kind: 'timeout', command: 'v-list-sys-info' });
    const res = await h.client.call(ctx, 'v-list-sys-info', ['json']);
    expect(!res.ok && res.error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(!res.ok && res.error.message).toContain('may still have run');
  });

  it('a reset connection → TRANSPORT, retryable', async () => {
    h.panel.faults.add({ kind: 'reset', command: 'v-list-sys-info' });
    const res = await h.client.call(ctx, 'v-list-sys-info', ['json']);
    expect(!res.ok && res.error).toMatchObject({ code: 'TRANSPORT', retryable: true });
  });

  it('"succeeded but the response was lost": an error here, yet the account exists on the panel', async () => {
    h.panel.faults.add({ kind: 'lost', command: 'v-add-user' });
    const res = await h.adapter.createAccount(ctx, {
      username: 'u6zeta',
      password: PASSWORD,
      email: 'z@example.com',
      packageName: 'starter',
    });
    expect(!res.ok && res.error.retryable).toBe(true);
    expect(h.panel.state.users.u6zeta).toBeDefined();
  });

  it('auth failures (9, 10, 11, 21) are flagged and sent exactly once', async () => {
    const wrong = await startPanelHarness();
    try {
      const bad = new (await import('../../src/hestia/client.js')).HestiaClient({
        name: 'wrong-key',
        host: wrong.panel.host,
        port: wrong.panel.port,
        credentials: { kind: 'access_key', id: wrong.panel.accessKey.id, secret: 'z'.repeat(40) },
        tls: { mode: 'pin', sha256: wrong.panel.fingerprintSha256 },
        logger: (await import('../../src/platform/log.js')).silentLogger(),
      });
      const before = wrong.panel.requestCount();
      const res = await bad.call(ctx, 'v-list-sys-info', ['json']);
      expect(!res.ok && res.error).toMatchObject({
        code: 'E_PASSWORD',
        exitCode: 9,
        authFailure: true,
        retryable: false,
      });
      expect(wrong.panel.requestCount()).toBe(before + 1);
      wrong.panel.state.switches.API_SYSTEM = 0;
      const disabled = await wrong.client.call(ctx, 'v-list-sys-info', ['json']);
      expect(!disabled.ok && disabled.error).toMatchObject({ exitCode: 11, authFailure: true, retryable: false });
      await bad.close();
    } finally {
      await wrong.close();
    }
  });

  it('an 11 naming a system the panel does not run is a permanent failure, not refused credentials', async () => {
    const noWeb = await startPanelHarness({ sandbox: { services: ['dns', 'mail', 'db'] } });
    try {
      const added = await noWeb.adapter.createAccount(ctx, {
        username: 'u1noweb',
        password: PASSWORD,
        email: 'n@example.com',
        packageName: 'starter',
      });
      expect(added.ok).toBe(true);
      const web = await noWeb.adapter.addDomain(ctx, 'web', 'u1noweb', 'noweb.example');
      expect(!web.ok && web.error).toMatchObject({
        code: 'E_DISABLED',
        exitCode: 11,
        authFailure: false,
        retryable: false,
        missingSystem: 'WEB_SYSTEM',
      });
      expect(!web.ok && web.error.message).toMatch(
        /^Error: WEB_SYSTEM is not enabled \(this server does not run a web/,
      );
      // The same panel with its API switched off: that 11 still stops the server.
      noWeb.panel.state.switches.API_SYSTEM = 0;
      const off = await noWeb.adapter.addDomain(ctx, 'web', 'u1noweb', 'noweb.example');
      expect(!off.ok && off.error).toMatchObject({ exitCode: 11, authFailure: true });
      expect(!off.ok && off.error.missingSystem).toBeUndefined();
    } finally {
      await noWeb.close();
    }
  });

  it('invalid JSON from the panel (a backslash in a value) is still read', async () => {
    await h.adapter.createAccount(ctx, {
      username: 'u7eta',
      password: PASSWORD,
      email: 'eta@example.com',
      packageName: 'starter',
      name: 'Eta',
    });
    h.panel.state.users.u7eta!.name = 'C:\\Users\\eta';
    const res = await h.adapter.readAccount(ctx, 'u7eta');
    expect(res.ok && res.value.packageName).toBe('starter');
  });
});

describe('TLS trust', () => {
  it('a pinned fingerprint that does not match is refused, naming the fingerprint seen, before any request', async () => {
    const h = await startPanelHarness({ tls: { mode: 'pin', sha256: 'AB'.repeat(32) } });
    try {
      const res = await h.client.call(ctx, 'v-list-sys-info', ['json']);
      expect(!res.ok && res.error.code).toBe('TLS_UNTRUSTED');
      expect(!res.ok && res.error.message).toContain(h.panel.fingerprintSha256);
      expect(h.panel.requestCount()).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('system CAs refuse the self-signed certificate, and the message tells what to pin', async () => {
    const h = await startPanelHarness({ tls: { mode: 'system' } });
    try {
      const res = await h.client.call(ctx, 'v-list-sys-info', ['json']);
      expect(!res.ok && res.error.code).toBe('TLS_UNTRUSTED');
      expect(!res.ok && res.error.message).toContain(`pin:${h.panel.fingerprintSha256}`);
    } finally {
      await h.close();
    }
  });

  it('a CA file that signed the certificate is trusted (hostname checked)', async () => {
    const h = await startPanelHarness();
    const { HestiaClient } = await import('../../src/hestia/client.js');
    const { silentLogger } = await import('../../src/platform/log.js');
    const viaCa = new HestiaClient({
      name: 'ca',
      host: h.panel.host,
      port: h.panel.port,
      credentials: { kind: 'access_key', ...h.panel.accessKey },
      tls: { mode: 'ca', caPem: h.panel.certPem },
      logger: silentLogger(),
    });
    try {
      const res = await viaCa.call(ctx, 'v-list-sys-info', ['json']);
      expect(res.ok).toBe(true);
    } finally {
      await viaCa.close();
      await h.close();
    }
  });
});
