import { Type } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/clients/clients.js';
import { TEXT_BLOCK_MESSAGE, TEXT_LINE_MESSAGE } from '../../src/platform/http/checks.js';
import { AppError } from '../../src/platform/http/errors.js';
import { exampleId } from '../../src/platform/http/schemas.js';
import { toFieldErrors } from '../../src/platform/http/validation.js';
import { parseSetting } from '../../src/settings/definitions.js';
import { updateRoute } from '../../src/userapi/route-overrides.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newClient, newProduct, type TestClient } from '../helpers/factories.js';

/** What a caller sees when a field is wrong: one problem+json entry per field, saying what to send. */
describe('validation errors name the field and what it accepts', () => {
  let t: TestApp;
  let me: TestClient;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.settings.set('userapi.rate_limit', 'off');
    me = await newClient(t.app);
  });

  async function problem(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) {
    const res = await t.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: me.basic },
      ...(payload ? { payload } : {}),
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body.code).toBe('validation_failed');
    return body as { detail: string; errors: { field: string; message: string }[] };
  }

  describe('a choice outside the allowed values', () => {
    it('billing_cycle: one error listing the cycles', async () => {
      const product = await newProduct(t.app);
      const body = await problem('POST', '/orders', {
        product_id: product.id,
        billing_cycle: 'weekly',
        domain: 'example.com',
      });
      expect(body.errors).toEqual([
        {
          field: 'body.billing_cycle',
          message: 'must be one of: monthly, quarterly, semiannually, annually, biennially',
        },
      ]);
      expect(body.detail).toContain('body.billing_cycle must be one of: monthly, quarterly');
    });

    it('token scope: one error listing read and write', async () => {
      const body = await problem('POST', '/tokens', { name: 'deploy', scope: 'admin' });
      expect(body.errors).toEqual([{ field: 'body.scope', message: 'must be one of: read, write' }]);
    });

    it('service status filter: one error listing the statuses', async () => {
      const body = await problem('GET', '/services?status=gone');
      expect(body.errors).toEqual([
        { field: 'query.status', message: 'must be one of: pending, active, suspended, terminated, cancelled' },
      ]);
    });

    it('the documentation lists the same choices', async () => {
      const doc = (await t.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
      const order = doc.paths['/orders'].post.requestBody.content['application/json'].schema;
      expect(order.properties.billing_cycle.enum).toEqual([
        'monthly',
        'quarterly',
        'semiannually',
        'annually',
        'biennially',
      ]);
      const token = doc.paths['/tokens'].post.requestBody.content['application/json'].schema;
      expect(token.properties.scope.enum).toEqual(['read', 'write']);
      const status = doc.paths['/services'].get.parameters.find((p: { name: string }) => p.name === 'status');
      expect(status.schema.enum).toEqual(['pending', 'active', 'suspended', 'terminated', 'cancelled']);
    });

    it('a union of literals (as some schemas still declare) reads the same', () => {
      const ajv = new Ajv({ allErrors: true, strict: false });
      const validate = ajv.compile(
        Type.Object({ state: Type.Union(['queued', 'failed'].map((s) => Type.Literal(s))) }) as object,
      );
      expect(validate({ state: 'lost' })).toBe(false);
      expect(toFieldErrors(validate.errors ?? [], 'querystring')).toEqual([
        { field: 'query.state', message: 'must be one of: queued, failed' },
      ]);
    });
  });

  describe('control and bidirectional-override characters', () => {
    it.each([
      ['NUL', 'Jane\u0000Doe'],
      ['an escape sequence', 'Jane \u001b[31mDoe'],
      ['a line break', 'Jane\nDoe'],
      ['a C1 control', 'Jane\u0085Doe'],
      ['a right-to-left override', 'Jane \u202Eeod'],
      ['a bidi isolate', 'Jane \u2066Doe\u2069'],
    ])('a name with %s is refused, naming the field', async (_what, name) => {
      const body = await problem('PATCH', '/account', { name });
      expect(body.errors).toEqual([{ field: 'body.name', message: TEXT_LINE_MESSAGE }]);
    });

    it('names in any script, with accents and emoji, are accepted', async () => {
      const res = await t.inject({
        method: 'PATCH',
        url: '/api/v1/account',
        headers: { authorization: me.basic },
        payload: { name: 'Zoë Łukasz 山田 😀', company: 'שלום Ltd' },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ name: 'Zoë Łukasz 山田 😀', company: 'שלום Ltd' });
    });

    it('the company, a token name and an ordered domain are refused the same way', async () => {
      expect((await problem('PATCH', '/account', { company: 'Acme\u202E' })).errors).toEqual([
        { field: 'body.company', message: TEXT_LINE_MESSAGE },
      ]);
      expect((await problem('POST', '/tokens', { name: 'ci\u0000', scope: 'read' })).errors).toEqual([
        { field: 'body.name', message: TEXT_LINE_MESSAGE },
      ]);
      const product = await newProduct(t.app);
      const order = await problem('POST', '/orders', {
        product_id: product.id,
        billing_cycle: 'monthly',
        domain: 'exa\u2067mple.com',
      });
      expect(order.errors).toEqual([{ field: 'body.domain', message: TEXT_LINE_MESSAGE }]);
    });

    it('a domain in the path and a cancellation reason are checked too; a reason may span lines', async () => {
      const service = exampleId('service');
      const path = await problem('DELETE', `/services/${service}/web-domains/a%00b.com`);
      expect(path.errors).toEqual([{ field: 'path.domain', message: TEXT_LINE_MESSAGE }]);
      const reason = await problem('POST', `/services/${service}/cancellation`, {
        type: 'immediate',
        reason: 'Too slow\u0007',
      });
      expect(reason.errors).toEqual([{ field: 'body.reason', message: TEXT_BLOCK_MESSAGE }]);
      const lines = await t.inject({
        method: 'POST',
        url: `/api/v1/services/${service}/cancellation`,
        headers: { authorization: me.basic },
        payload: { type: 'immediate', reason: 'Moving on.\r\n\tThanks for everything.' },
      });
      // Past validation: the service is simply not this client's.
      expect(lines.statusCode, lines.body).toBe(404);
    });

    it('the docs’ company name and introduction (settings) are refused the same way; the intro may span lines', () => {
      expect(() => parseSetting('userapi.docs.company_name', 'Acme\u202E')).toThrow(
        `userapi.docs.company_name ${TEXT_LINE_MESSAGE}.`,
      );
      expect(() => parseSetting('userapi.docs.intro', 'Welcome\u0000')).toThrow(
        `userapi.docs.intro ${TEXT_BLOCK_MESSAGE}.`,
      );
      expect(parseSetting('userapi.docs.intro', '# Welcome\n\nScripts welcome.')).toBe('# Welcome\n\nScripts welcome.');
    });

    it('an admin’s route name and description, and a new client’s name, are refused the same way', async () => {
      const actor = { type: 'admin' as const, id: null };
      const rename = updateRoute(t.app, 'listInvoices', { name: 'Invoices\u202E' }, actor);
      await expect(rename).rejects.toThrow(AppError);
      await expect(rename).rejects.toMatchObject({
        options: { errors: [{ field: 'body.name', message: TEXT_LINE_MESSAGE }] },
      });
      await expect(
        updateRoute(t.app, 'listInvoices', { description: 'Every invoice\u0000' }, actor),
      ).rejects.toMatchObject({ options: { errors: [{ field: 'body.description', message: TEXT_BLOCK_MESSAGE }] } });
      await updateRoute(t.app, 'listInvoices', { description: 'Every invoice.\nNewest first.' }, actor);
      expect(t.app.routes.get('listInvoices')?.description).toBe('Every invoice.\nNewest first.');
      await expect(
        createClient(
          { db: t.app.db.kysely, clock: t.app.clock },
          { email: 'new@example.test', name: 'New\u0000Client', password: 'long-enough-pass' },
        ),
      ).rejects.toMatchObject({ options: { errors: [{ field: 'name', message: TEXT_LINE_MESSAGE }] } });
    });
  });
});
