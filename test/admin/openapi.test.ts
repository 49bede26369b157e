import { createRequire } from 'node:module';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FormatsPlugin } from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApiRoutes } from '../../src/admin/routes.js';
import { routeScope } from '../../src/platform/http/route.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicHeader, newAdmin, newClient } from '../helpers/factories.js';

const addFormats = createRequire(import.meta.url)('ajv-formats') as FormatsPlugin;

/** Each `examples` entry of a schema in the document, with the JSON pointer of its schema. */
function schemaExamples(node: unknown, path: string[] = []): { schema: string; value: unknown }[] {
  if (!node || typeof node !== 'object') return [];
  const object = node as Record<string, unknown>;
  const here =
    path.includes('schema') && Array.isArray(object.examples)
      ? object.examples.map((value) => ({
          schema: path.map((p) => `/${p.replaceAll('~', '~0').replaceAll('/', '~1')}`).join(''),
          value,
        }))
      : [];
  return [
    ...here,
    ...Object.entries(object).flatMap(([key, value]) =>
      key === 'examples' ? [] : schemaExamples(value, [...path, key]),
    ),
  ];
}

describe('Admin API OpenAPI document', () => {
  let t: TestApp;
  let adminAuth: string;
  beforeAll(async () => {
    t = await createTestApp();
    await newAdmin(t.app, { email: 'ops@example.com', name: 'Ops', password: 'admin-password-1' });
    adminAuth = basicHeader('ops@example.com', 'admin-password-1');
  });
  afterAll(async () => {
    await t?.close();
  });

  async function document() {
    const res = await t.inject({
      method: 'GET',
      url: '/admin/api/v1/openapi.json',
      headers: { authorization: adminAuth },
    });
    expect(res.statusCode).toBe(200);
    return res.json();
  }

  it('is for admins only', async () => {
    const client = await newClient(t.app);
    for (const headers of [{}, { authorization: client.basic }]) {
      const res = await t.inject({ method: 'GET', url: '/admin/api/v1/openapi.json', headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('is valid OpenAPI 3.1 under a standard validator', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: '/admin/api/v1' }]);
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
  });

  it('documents every declared admin route with its schemas, errors and security', async () => {
    const doc = await document();
    const tags = new Set(doc.tags.map((tag: { name: string }) => tag.name));
    for (const spec of adminApiRoutes) {
      const label = `${spec.method} ${spec.path}`;
      const op = doc.paths[spec.path]?.[spec.method.toLowerCase()];
      expect(op, label).toBeDefined();
      expect(op.operationId).toBe(spec.operationId);
      expect(tags.has(spec.category), label).toBe(true);
      const success = op.responses[String(spec.response.status)];
      expect(success, label).toBeDefined();
      if (spec.response.status !== 204) expect(Object.values(success.content)[0], label).toHaveProperty('schema');
      if (spec.body) expect(op.requestBody.content['application/json'].schema).toBeDefined();
      expect(op.responses['403'].description).toContain('address_not_allowed');
      if (spec.auth === 'none') {
        expect(op.security).toEqual([]);
        continue;
      }
      expect(op.responses['401'].content['application/problem+json']).toBeDefined();
      const write = routeScope(spec) === 'write';
      expect(op.security).toEqual([
        { adminBasic: [] },
        write ? { adminSession: [], csrfToken: [] } : { adminSession: [] },
      ]);
      if (write) expect(op.responses['403'].description).toContain('csrf_failed');
    }
  });

  it('every example validates against its schema, so sending the documented example is accepted', async () => {
    const doc = await document();
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(doc, 'admin-openapi.json');
    const examples = schemaExamples(doc);
    expect(examples.length).toBeGreaterThan(20);
    const failures: string[] = [];
    for (const { schema, value } of examples) {
      const validate = ajv.getSchema(`admin-openapi.json#${schema.split('/').map(encodeURIComponent).join('/')}`);
      if (!validate) throw new Error(`no schema at ${schema}`);
      if (!validate(value)) failures.push(`${schema}: ${ajv.errorsText(validate.errors)}`);
    }
    expect(failures).toEqual([]);
  });
});
