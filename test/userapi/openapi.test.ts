import SwaggerParser from '@apidevtools/swagger-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { userApiRoutes } from '../../src/userapi/routes.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe('OpenAPI document and docs page', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });

  async function document() {
    const res = await t.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    return res.json();
  }

  it('is valid OpenAPI 3.1 under a standard validator', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
  });

  it('documents every declared route with its schemas, errors and security', async () => {
    const doc = await document();
    for (const spec of userApiRoutes) {
      const op = doc.paths[spec.path]?.[spec.method.toLowerCase()];
      expect(op, `${spec.method} ${spec.path}`).toBeDefined();
      expect(op.operationId).toBe(spec.operationId);
      expect(op.tags).toEqual([spec.category]);
      expect(op.responses[String(spec.response.status)]).toBeDefined();
      expect(op.responses['429'].content['application/problem+json']).toBeDefined();
      if (spec.body) expect(op.requestBody.content['application/json'].schema).toBeDefined();
      if (spec.auth === 'client') {
        expect(op.responses['401']).toBeDefined();
        expect(op.security.length).toBeGreaterThan(0);
      } else {
        expect(op.security).toEqual([]);
      }
    }
  });

  it('reflects the provider’s branding and enabled auth methods without a restart', async () => {
    await t.app.settings.set('userapi.docs.company_name', 'Acme Hosting');
    await t.app.settings.set('userapi.docs.logo_url', 'https://acme.example/logo.svg');
    await t.app.settings.set('userapi.docs.intro', 'Welcome to **Acme**.');
    await t.app.settings.set('userapi.auth_methods', 'basic');
    const doc = await document();
    expect(doc.info.title).toBe('Acme Hosting User API');
    expect(doc.info.description).toContain('Welcome to **Acme**.');
    expect(doc.info.description).toContain('https://acme.example/logo.svg');
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['basicAuth']);
  });

  it('serves an interactive docs page that loads the document from this server (no CDN)', async () => {
    const entry = await t.inject({ method: 'GET', url: '/api/docs' });
    const location = entry.statusCode === 301 ? String(entry.headers.location) : '/api/docs';
    const page = await t.inject({ method: 'GET', url: location });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('/api/v1/openapi.json');
    const script = /src="([^"]*scalar\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const js = await t.inject({ method: 'GET', url: script!.startsWith('/') ? script! : `/api/docs/${script}` });
    expect(js.statusCode).toBe(200);
  });
});
