import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HestiaClient } from '../../src/hestia/client.js';
import { HestiaPanel } from '../../src/hestia/panel.js';
import { silentLogger } from '../../src/platform/log.js';
import { type SandboxPanel, startSandboxPanel } from '../../src/sandbox/server.js';
import { newAccessKey, parseServices } from '../../src/sandbox/state.js';
import { ctx } from '../helpers/panel.js';

/** Cases where the sandbox answered unlike the real panel, each answered as the panel does. */
const insecure = new Agent({ connect: { rejectUnauthorized: false } });

async function post(
  panel: SandboxPanel,
  fields: Record<string, string>,
  options: { path?: string; method?: string } = {},
) {
  const res = await request(`https://${panel.host}:${panel.port}${options.path ?? '/api/'}`, {
    method: (options.method ?? 'POST') as 'POST',
    dispatcher: insecure,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    ...(options.method === 'GET' ? {} : { body: new URLSearchParams(fields).toString() }),
  });
  return { status: res.statusCode, exit: res.headers['hestia-exit-code'], body: await res.body.text() };
}
const triple = (r: { status: number; exit: unknown; body: string }) => [r.status, r.exit, r.body];

const USER_FIELDS =
  'NAME PACKAGE WEB_TEMPLATE BACKEND_TEMPLATE PROXY_TEMPLATE DNS_TEMPLATE WEB_DOMAINS WEB_ALIASES DNS_DOMAINS DNS_RECORDS MAIL_DOMAINS MAIL_ACCOUNTS DATABASES CRON_JOBS DISK_QUOTA BANDWIDTH HOME NS SHELL BACKUPS CONTACT CRON_REPORTS RKEY TWOFA QRCODE ROLE SUSPENDED SUSPENDED_USERS SUSPENDED_WEB SUSPENDED_DNS SUSPENDED_MAIL SUSPENDED_DB SUSPENDED_CRON IP_AVAIL IP_OWNED U_USERS U_DISK U_DISK_DIRS U_DISK_WEB U_DISK_MAIL U_DISK_DB U_BANDWIDTH U_WEB_DOMAINS U_WEB_SSL U_WEB_ALIASES U_DNS_DOMAINS U_DNS_RECORDS U_MAIL_DOMAINS U_MAIL_DKIM U_MAIL_ACCOUNTS U_DATABASES U_CRON_JOBS U_BACKUPS BACKUPS_INCREMENTAL LANGUAGE THEME NOTIFICATIONS PREF_UI_SORT LOGIN_DISABLED LOGIN_USE_IPLIST LOGIN_ALLOW_IPS PHPCLI TIME DATE'.split(
    ' ',
  );
const PACKAGE_FIELDS =
  'WEB_TEMPLATE PROXY_TEMPLATE DNS_TEMPLATE WEB_DOMAINS WEB_ALIASES DNS_DOMAINS DNS_RECORDS MAIL_DOMAINS MAIL_ACCOUNTS DATABASES CRON_JOBS DISK_QUOTA CPU_QUOTA CPU_QUOTA_PERIOD MEMORY_LIMIT SWAP_LIMIT BANDWIDTH NS SHELL BACKUPS TIME DATE'.split(
    ' ',
  );

describe('the sandbox panel answers like HestiaCP 1.10', () => {
  let panel: SandboxPanel;
  let key: Record<string, string>;
  const addUser = (user: string, extra: Record<string, string> = {}) =>
    post(panel, { ...key, cmd: 'v-add-user', arg1: user, arg2: 'Pa55-word-ok', arg3: `${user}@example.com`, ...extra });
  beforeAll(async () => {
    panel = await startSandboxPanel();
    key = { access_key: panel.accessKey.id, secret_key: panel.accessKey.secret };
    expect((await addUser('dq1', { arg4: 'starter' })).status).toBe(204);
  });
  afterAll(async () => {
    await panel?.close();
  });

  it('v-add-user: an empty package is a missing package (3), not a bad format', async () => {
    expect(triple(await addUser('dq2', { arg4: '' }))).toEqual([400, '3', "Error: package  doesn't exist"]);
  });

  it('v-add-user: a dot in the name is a bad format; root already exists', async () => {
    expect(triple(await addUser('dq.dot'))).toEqual([422, '2', 'Error: invalid user format :: dq.dot']);
    expect(triple(await addUser('root'))).toEqual([400, '4', 'Error: user root exists']);
  });

  it('v-add-user: a non-ASCII email is refused', async () => {
    const res = await addUser('dq3', { arg3: 'jöhn@example.com' });
    expect(triple(res)).toEqual([422, '2', 'Error: invalid email format :: jöhn@example.com']);
  });

  it('v-add-user: names with quotes, <>, a pipe or a line break get the panel’s own messages', async () => {
    for (const name of ['Bob "B"', "O'Neil", '<b>x</b>', 'a|b', 'Bob $(id)', 'a;b', 'Tom & Jerry', 'back`tick']) {
      const res = await addUser('dq4', { arg4: 'starter', arg5: name });
      expect(triple(res)).toEqual([422, '2', `Error: Invalid name contains qoutes (" or ') :: ${name}`]);
    }
    const newline = await addUser('dq4', { arg4: 'starter', arg5: 'Bob\nEvil' });
    expect(triple(newline)).toEqual([422, '2', 'Error: invalid value :: Bob\nEvil']);
    expect(panel.state.users.dq4).toBeUndefined();
  });

  it('v-add-user: a password PAM refuses (too long, a line break) leaves no account', async () => {
    for (const password of ['x'.repeat(3000), 'first\nroot:owned']) {
      const res = await addUser('dq5', { arg2: password });
      expect(triple(res)).toEqual([422, '2', 'Error: Password not accepted due to PAM restrictions']);
    }
    expect(panel.state.users.dq5).toBeUndefined();
  });

  it('v-add-user: NAME is the first and last name joined', async () => {
    expect((await addUser('dq6', { arg4: 'starter', arg5: 'First', arg6: 'Last' })).status).toBe(204);
    const res = await post(panel, { ...key, cmd: 'v-list-user', arg1: 'dq6', arg2: 'json' });
    expect(JSON.parse(res.body).dq6.NAME).toBe('First Last');
  });

  it('v-list-user json: every field, in order, the inner brace indented by 8 spaces', async () => {
    const res = await post(panel, { ...key, cmd: 'v-list-user', arg1: 'dq1', arg2: 'json' });
    expect(res.status).toBe(200);
    expect(Object.keys(JSON.parse(res.body).dq1)).toEqual(USER_FIELDS);
    expect(res.body.startsWith('{\n    "dq1": {\n        "NAME": "",\n        "PACKAGE": "starter",\n')).toBe(true);
    expect(res.body.endsWith('"\n        }\n}')).toBe(true);
  });

  it('v-list-user-packages: every field in order, newest package first', async () => {
    const res = await post(panel, { ...key, cmd: 'v-list-user-packages', arg1: 'json' });
    const packages = JSON.parse(res.body);
    expect(Object.keys(packages)).toEqual(['business', 'pro', 'starter', 'system', 'default']);
    expect(Object.keys(packages.starter)).toEqual(PACKAGE_FIELDS);
    expect(res.body).toContain('        "DISK_QUOTA": "2048",\n        "CPU_QUOTA":"unlimited",\n');
    const one = await post(panel, { ...key, cmd: 'v-list-user-package', arg1: 'pro', arg2: 'json' });
    expect(Object.keys(JSON.parse(one.body).pro)).toEqual(PACKAGE_FIELDS);
  });

  it('FORMAT: plain, csv and shell are printed; an unknown format and an empty plain list are 204', async () => {
    const plain = await post(panel, { ...key, cmd: 'v-list-user', arg1: 'dq1', arg2: 'plain' });
    expect(plain.body.split('\t').slice(0, 3)).toEqual(['dq1', '', 'starter']);
    const csv = await post(panel, { ...key, cmd: 'v-list-user-packages', arg1: 'csv' });
    expect(csv.body.split('\n')[0]).toBe(`PKG,${PACKAGE_FIELDS.join(',')}`);
    expect(csv.body.split('\n')).toHaveLength(6);
    const shell = await post(panel, { ...key, cmd: 'v-list-user-packages' });
    expect(shell.body.split('\n')[0]).toMatch(/^PKG\s+WEB_TEMPLATE\s+WEB_DOMAINS/);
    expect(shell.body.split('\n')[1]).toMatch(/^---\s+-+/);
    for (const res of [
      await post(panel, { ...key, cmd: 'v-list-user', arg1: 'dq1', arg2: 'xml' }),
      await post(panel, { ...key, cmd: 'v-list-web-domains', arg1: 'dq1', arg2: 'plain' }),
    ]) {
      expect([res.status, res.exit, res.body]).toEqual([204, '0', '']);
    }
  });

  it("v-list-web-domains '' json is an empty collection", async () => {
    const res = await post(panel, { ...key, cmd: 'v-list-web-domains', arg1: '', arg2: 'json' });
    expect(triple(res)).toEqual([200, '0', '{\n}']);
  });

  it('v-change-user-package on a suspended user: exit 0 with an Error line, and the package changes', async () => {
    expect((await addUser('dq7', { arg4: 'starter' })).status).toBe(204);
    expect((await post(panel, { ...key, cmd: 'v-suspend-user', arg1: 'dq7' })).status).toBe(204);
    const res = await post(panel, { ...key, cmd: 'v-change-user-package', arg1: 'dq7', arg2: 'pro' });
    expect(triple(res)).toEqual([200, '0', 'Error: user dq7 is suspended']);
    expect(panel.state.users.dq7?.package).toBe('pro');
  });

  it('v-unsuspend-user of a user that does not exist is 3', async () => {
    const res = await post(panel, { ...key, cmd: 'v-unsuspend-user', arg1: 'nobody9' });
    expect(triple(res)).toEqual([400, '3', "Error: user nobody9 doesn't exist"]);
  });

  it('v-check-user-password for an unknown user is a mismatch (9)', async () => {
    const res = await post(panel, { ...key, cmd: 'v-check-user-password', arg1: 'nobody9', arg2: 'x' });
    expect(triple(res)).toEqual([401, '9', 'Error: password missmatch']);
  });

  it('v-change-user-password without a password: the PAM refusal, or 5 when suspended', async () => {
    const res = await post(panel, { ...key, cmd: 'v-change-user-password', arg1: 'dq1' });
    expect(triple(res)).toEqual([422, '2', 'Error: Password not accepted due to PAM restrictions']);
    const suspended = await post(panel, { ...key, cmd: 'v-change-user-password', arg1: 'dq7' });
    expect(triple(suspended)).toEqual([401, '5', 'Error: user dq7 is suspended']);
  });

  it('the usage texts are the panel’s', async () => {
    const password = await post(panel, { ...key, cmd: 'v-change-user-password' });
    expect(triple(password)).toEqual([400, '1', 'Usage: v-change-user-password USER [PASSWORD]']);
    const unsuspend = await post(panel, { ...key, cmd: 'v-unsuspend-user' });
    expect(triple(unsuspend)).toEqual([400, '1', 'Usage: v-unsuspend-user USER']);
  });

  it('deleting a domain or a database on a system the panel does not run: 11 before 3', async () => {
    panel.state.switches.WEB_SYSTEM = '';
    panel.state.switches.DB_SYSTEM = 'no';
    try {
      const web = await post(panel, { ...key, cmd: 'v-delete-web-domain', arg1: 'dq1', arg2: 'gone.example' });
      expect(triple(web)).toEqual([400, '11', 'Error: WEB_SYSTEM is not enabled']);
      const db = await post(panel, { ...key, cmd: 'v-delete-database', arg1: 'dq1', arg2: 'dq1_gone' });
      expect(triple(db)).toEqual([400, '11', 'Error: DB_SYSTEM is not enabled']);
      const probe = await post(panel, { ...key, cmd: 'v-add-database' });
      expect(triple(probe)).toEqual([400, '11', 'Error: DB_SYSTEM is not enabled']);
    } finally {
      panel.state.switches.WEB_SYSTEM = 'nginx';
      panel.state.switches.DB_SYSTEM = 'mysql';
    }
    const gone = await post(panel, { ...key, cmd: 'v-delete-web-domain', arg1: 'dq1', arg2: 'gone.example' });
    expect(gone.exit).toBe('3');
  });

  it('exit 9 for a malformed hash, a wrong legacy password and the key of a suspended owner', async () => {
    panel.state.switches.API = 'yes';
    try {
      const hash = await post(panel, { hash: 'abc:def', cmd: 'v-list-sys-info' });
      expect([hash.status, hash.exit]).toEqual([401, '9']);
      const legacy = await post(panel, { user: 'admin', password: 'wrong', cmd: 'v-list-sys-info' });
      expect(triple(legacy)).toEqual([401, '9', 'Error: authentication failed']);
    } finally {
      panel.state.switches.API = 'no';
    }
    const userKey = newAccessKey('dq7', ['*']);
    panel.state.keys.push(userKey);
    panel.state.switches.API_SYSTEM = 2;
    try {
      const suspended = await post(panel, {
        access_key: userKey.id,
        secret_key: userKey.secret,
        cmd: 'v-list-user',
        arg1: 'dq7',
      });
      expect(triple(suspended)).toEqual([401, '9', 'Error: user dq7 is suspended']);
    } finally {
      panel.state.switches.API_SYSTEM = 1;
    }
  });

  it('the 405 answers carry Hestia-Exit-Code 405', async () => {
    const nothing = await post(panel, {});
    expect([nothing.status, nothing.exit]).toEqual([405, '405']);
    const get = await post(panel, {}, { method: 'GET' });
    expect([get.status, get.exit]).toEqual([405, '405']);
  });

  it('a command with spaces around it is trimmed and run; /api/index.php is the same endpoint', async () => {
    const spaced = await post(panel, { ...key, cmd: '  v-list-sys-info ', arg1: 'json' });
    expect(spaced.status).toBe(200);
    const index = await post(panel, { ...key, cmd: 'v-list-sys-info', arg1: 'json' }, { path: '/api/index.php' });
    expect(JSON.parse(index.body).sysinfo.HESTIA).toBe('1.10.3');
  });
});

describe('sandbox panel options', () => {
  it('keeps its certificate in the state file: a client pinned before a restart still connects', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'portico-sandbox-')), 'state.json');
    const first = await startSandboxPanel({ stateFile });
    const pin = first.fingerprintSha256;
    const port = first.port;
    await first.close();
    const second = await startSandboxPanel({ stateFile, port });
    const client = new HestiaClient({
      name: 'pinned',
      host: second.host,
      port: second.port,
      credentials: { kind: 'access_key', ...second.accessKey },
      tls: { mode: 'pin', sha256: pin },
      logger: silentLogger(),
    });
    try {
      expect(second.fingerprintSha256).toBe(pin);
      expect((await new HestiaPanel(client).health(ctx)).reachable).toBe(true);
    } finally {
      await client.close();
      await second.close();
    }
  });

  it('--services chooses the systems it runs; an unknown name is refused', async () => {
    expect(parseServices('web, dns')).toEqual(['web', 'dns']);
    expect(parseServices('none')).toEqual([]);
    expect(() => parseServices('web,ftp')).toThrow('unknown service(s) ftp: choose among web, dns, mail, db');
    const panel = await startSandboxPanel({ services: ['web'] });
    try {
      expect(panel.state.switches).toMatchObject({
        WEB_SYSTEM: 'nginx',
        DNS_SYSTEM: '',
        MAIL_SYSTEM: '',
        DB_SYSTEM: '',
      });
      const key = { access_key: panel.accessKey.id, secret_key: panel.accessKey.secret };
      const dns = await post(panel, {
        ...key,
        cmd: 'v-add-dns-domain',
        arg1: 'admin',
        arg2: 'a.example',
        arg3: '1.2.3.4',
      });
      expect(triple(dns)).toEqual([400, '11', 'Error: DNS_SYSTEM is not enabled']);
    } finally {
      await panel.close();
    }
  });
});
