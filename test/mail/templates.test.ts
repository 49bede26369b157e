import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueMail } from '../../src/mail/compose.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicHeader, newAdmin } from '../helpers/factories.js';

describe('email templates in the Admin API: defaults in code, edited, previewed, reset', () => {
  let t: TestApp;
  const admin = basicHeader('ops@example.com', 'admin-password-1');
  beforeAll(async () => {
    t = await createTestApp();
    await newAdmin(t.app, { email: 'ops@example.com', password: 'admin-password-1' });
    await t.app.settings.set('company.name', 'Example Hosting');
  });
  afterAll(async () => {
    await t?.close();
  });

  const api = (method: 'GET' | 'PATCH' | 'POST' | 'DELETE', path: string, payload?: object) =>
    t.inject({
      method,
      url: `/admin/api/v1/mail${path}`,
      headers: { authorization: admin },
      ...(payload ? { payload } : {}),
    });

  it('lists every template with its placeholders; an edit is used by the next message, its values HTML-escaped', async () => {
    const list = await api('GET', '/templates');
    expect(list.statusCode).toBe(200);
    const names = list.json().items.map((i: { name: string }) => i.name);
    expect(names).toEqual(expect.arrayContaining(['welcome', 'invoice_issued', 'service_active', 'password_reset']));
    const welcome = list.json().items.find((i: { name: string }) => i.name === 'welcome');
    expect(welcome).toMatchObject({ customized: false, subject: 'Welcome to {{company.name}}' });
    expect(welcome.placeholders).toEqual(expect.arrayContaining(['client.name', 'client.email', 'company.name']));

    const edited = await api('PATCH', '/templates/welcome', {
      subject: 'Hi {{client.name}}, welcome aboard',
      html: '<p>Dear {{client.name}}</p>',
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({ customized: true, subject: 'Hi {{client.name}}, welcome aboard' });
    // The text body was not given: it stays the default.
    expect(edited.json().text).toContain('your account at {{company.name}} is ready');

    const id = await t.app.db.kysely.transaction().execute((trx) =>
      queueMail(trx, t.app.clock.nowMs(), {
        key: 'templates:1',
        template: 'welcome',
        to: 'x@example.test',
        data: {
          company: { name: 'Example Hosting' },
          client: { name: '<script>alert(1)</script>', email: 'x@example.test' },
        },
      }),
    );
    const message = (await api('GET', `/messages/${id}`)).json();
    expect(message.subject).toBe('Hi <script>alert(1)</script>, welcome aboard');
    expect(message.html).toContain('<p>Dear &lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(message.html).not.toContain('<script>');
  });

  it('refuses a placeholder the template has no data for, naming the field; previews unsaved edits; reset restores the default', async () => {
    const bad = await api('PATCH', '/templates/service_active', { text: 'Your password: {{service.password}}' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors).toEqual([
      expect.objectContaining({
        field: 'text',
        message: expect.stringContaining('{{service.password}} is not one of:'),
      }),
    ]);

    const preview = await api('POST', '/templates/service_active/preview', { subject: 'Ready: {{service.domain}}' });
    expect(preview.statusCode).toBe(200);
    expect(preview.json().subject).toBe('Ready: example.org');
    expect(preview.json().text).toContain('Username: ada1');
    expect(preview.json().html).toContain('<strong style="font-size:18px">Example Hosting</strong>');
    expect((await api('GET', '/templates/service_active')).json().customized).toBe(false);

    await api('PATCH', '/templates/welcome', { subject: 'Changed' });
    const reset = await api('DELETE', '/templates/welcome');
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toMatchObject({ customized: false, subject: 'Welcome to {{company.name}}' });

    const unknown = await api('GET', '/templates/nope');
    expect(unknown.statusCode).toBe(400);
  });
});
