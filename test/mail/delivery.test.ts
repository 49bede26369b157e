import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueMail } from '../../src/mail/compose.js';
import { MailSender, NO_SMTP } from '../../src/mail/sender.js';
import { ManualClock } from '../../src/platform/clock.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { basicHeader, newAdmin } from '../helpers/factories.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';

const BIN = resolve(import.meta.dirname, '../../bin/portico.js');

describe('email delivery: kept when unsent, retried with backoff, failures visible, a crash resends with the same Message-ID', {
  timeout: 120_000,
}, () => {
  let t: TestApp;
  let smtp: TestSmtp;
  const admin = basicHeader('ops@example.com', 'admin-password-1');
  beforeAll(async () => {
    t = await createTestApp();
    smtp = await startSmtp();
    await newAdmin(t.app, { email: 'ops@example.com', password: 'admin-password-1' });
    await t.app.settings.set('company.name', 'Example Hosting');
  });
  afterAll(async () => {
    await smtp?.close();
    await t?.close();
  });

  let n = 0;
  const queue = async (to = `person${++n}@example.test`) => {
    const id = await t.app.db.kysely.transaction().execute((trx) =>
      queueMail(trx, t.app.clock.nowMs(), {
        key: `test:${to}`,
        template: 'welcome',
        to,
        data: { company: { name: 'Example Hosting' }, client: { name: 'Person', email: to } },
      }),
    );
    return { id: id!, to };
  };
  const row = (id: string) =>
    t.app.db.kysely.selectFrom('mail_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const configure = async () => {
    await t.app.settings.set('email.smtp_url', smtp.url);
    await t.app.settings.set('email.from', 'Example Hosting <billing@example.com>');
  };
  const unconfigure = async () => {
    await t.app.settings.set('email.smtp_url', '');
  };

  it('with no SMTP configured the message is kept, marked unsent, listed by `portico mail list` and the Admin API, and sent on retry once configured', async () => {
    await unconfigure();
    const m = await queue();
    const sender = new MailSender(t.app, { pollMs: 5 });
    await sender.tick();
    expect(await row(m.id)).toMatchObject({ state: 'unsent', attempts: 1, last_error: NO_SMTP, sent_at_ms: null });

    const listed = await runCli(t.db, ['mail', 'list', '--state', 'unsent']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${m.id}  unsent   attempts 1  ${m.to}  welcome  Welcome to Example Hosting`);
    expect(listed.stdout).toContain('Set email.smtp_url and email.from');
    const shown = await runCli(t.db, ['mail', 'show', m.id]);
    expect(shown.stdout).toContain(`To        ${m.to}`);
    expect(shown.stdout).toContain('your account at Example Hosting is ready');
    const api = await t.inject({
      method: 'GET',
      url: '/admin/api/v1/mail/messages?state=unsent',
      headers: { authorization: admin },
    });
    expect(api.statusCode).toBe(200);
    expect(api.json().items).toEqual([expect.objectContaining({ id: m.id, state: 'unsent', last_error: NO_SMTP })]);

    await configure();
    const retried = await runCli(t.db, ['mail', 'retry', m.id]);
    expect(retried.stdout).toContain(`Message ${m.id} to ${m.to} queued again.`);
    await sender.tick();
    expect(await row(m.id)).toMatchObject({ state: 'sent', attempts: 1, last_error: null });
    expect(smtp.to(m.to).map((r) => r.parsed.subject)).toEqual(['Welcome to Example Hosting']);
    // A sent message is not retried.
    const again = await t.inject({
      method: 'POST',
      url: `/admin/api/v1/mail/messages/${m.id}/retry`,
      headers: { authorization: admin },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toContain('only unsent or failed messages are retried');
    await sender.stop();
  });

  it('a temporary refusal (451) is retried with backoff and the attempts and last error recorded; a permanent one (550) fails at once', async () => {
    await configure();
    // A second instance on the same database whose clock the test moves (it reads the settings at start).
    const clock = new ManualClock(Date.now() + 60_000);
    const c = await createTestApp({ clock, db: t.db });
    const flaky = await queue();
    const doomed = await queue();
    let refusals = 2;
    smtp.answer = (mail) => {
      if (mail.to.includes(doomed.to)) return Object.assign(new Error('5.1.1 No such mailbox'), { responseCode: 550 });
      if (mail.to.includes(flaky.to) && refusals-- > 0)
        return Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 });
      return undefined;
    };
    const sender = new MailSender(c.app, { backoffBaseMs: 60_000 });
    try {
      await sender.tick();
      const first = await row(flaky.id);
      expect(first).toMatchObject({ state: 'queued', attempts: 1 });
      expect(first.last_error).toContain('4.3.0 Try again later');
      expect(first.run_after_ms).toBeGreaterThan(clock.nowMs());
      expect(await row(doomed.id)).toMatchObject({ state: 'failed', attempts: 1 });
      expect((await row(doomed.id)).last_error).toContain('Refused by the server: ');
      // Not due yet: nothing is tried before the backoff has passed.
      expect(await sender.tick()).toBe(0);
      clock.advance(3_600_000);
      await sender.tick();
      expect(await row(flaky.id)).toMatchObject({ state: 'queued', attempts: 2 });
      clock.advance(3_600_000);
      await sender.tick();
      expect(await row(flaky.id)).toMatchObject({ state: 'sent', attempts: 3, last_error: null });
      expect(smtp.to(flaky.to)).toHaveLength(1);
      expect(smtp.to(doomed.to)).toHaveLength(0);
      const failed = await t.inject({
        method: 'GET',
        url: '/admin/api/v1/mail/messages?state=failed',
        headers: { authorization: admin },
      });
      expect(failed.json().items).toEqual([expect.objectContaining({ id: doomed.id, to: doomed.to, attempts: 1 })]);
    } finally {
      smtp.answer = undefined;
      await sender.stop();
    }
  });

  it('a worker killed after handing the message to the server but before recording it: the next worker sends it again with the same Message-ID', async () => {
    await configure();
    const m = await queue();
    let child: ChildProcess | undefined;
    const exited = new Promise<void>((done) => {
      smtp.answer = async (mail) => {
        if (!mail.to.includes(m.to) || !child) return undefined;
        // The whole message is here (a real server would have queued it). Kill the worker
        // before it hears the answer, so it cannot record the message as sent.
        const dead = new Promise<void>((r) => child!.once('exit', () => r()));
        child.kill('SIGKILL');
        await dead;
        done();
        return undefined;
      };
    });
    child = spawn(process.execPath, [BIN, 'worker', '--poll-ms', '20', '--mail-lease-ms', '1000'], {
      env: {
        PATH: process.env.PATH ?? '',
        PORTICO_DATA_DIR: t.db.dataDir,
        PORTICO_DEMO: 'off',
        LOG_LEVEL: 'error',
        ...(t.db.databaseUrl ? { DATABASE_URL: t.db.databaseUrl } : {}),
      },
      stdio: 'ignore',
    });
    await exited;
    smtp.answer = undefined;
    const orphan = await row(m.id);
    // The attempt was recorded before sending; the outcome never was.
    expect(orphan).toMatchObject({ state: 'sending', attempts: 1, sent_at_ms: null });
    const sender = new MailSender(t.app, { pollMs: 20 });
    sender.start();
    try {
      await waitFor(async () => (await row(m.id)).state === 'sent', {
        message: 'the message sent after the lease expired',
      });
    } finally {
      await sender.stop();
    }
    const arrived = smtp.to(m.to);
    expect(arrived).toHaveLength(2);
    expect(arrived.map((a) => a.parsed.messageId)).toEqual([`<${m.id}@example.com>`, `<${m.id}@example.com>`]);
    expect(arrived[1]!.parsed.text).toBe(arrived[0]!.parsed.text);
    expect(await row(m.id)).toMatchObject({ state: 'sent', attempts: 2 });
  });
});
