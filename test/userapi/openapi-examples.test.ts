import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FormatsPlugin } from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

const addFormats = createRequire(import.meta.url)('ajv-formats') as FormatsPlugin;

type Json = Record<string, unknown>;
interface Example {
  /** JSON pointer of the example in the document. */
  at: string;
  /** JSON pointer of the schema it must satisfy. */
  schema: string;
  value: unknown;
}

const pointer = (segments: string[]) =>
  segments.length ? `/${segments.map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}` : '';

/**
 * Every example in the document: a schema's `examples` (arrays, inside `schema` or a component
 * schema) and a media type's or parameter's `example` beside its `schema`.
 */
function collectExamples(node: unknown, path: string[] = [], out: Example[] = []): Example[] {
  if (Array.isArray(node)) {
    node.forEach((item, i) => {
      collectExamples(item, [...path, String(i)], out);
    });
    return out;
  }
  if (!node || typeof node !== 'object') return out;
  const object = node as Json;
  const inSchema = path.includes('schema') || (path[0] === 'components' && path[1] === 'schemas');
  if (inSchema && Array.isArray(object.examples)) {
    object.examples.forEach((value, i) => {
      out.push({ at: pointer([...path, 'examples', String(i)]), schema: pointer(path), value });
    });
  }
  if ('example' in object && 'schema' in object) {
    out.push({ at: pointer([...path, 'example']), schema: pointer([...path, 'schema']), value: object.example });
  }
  for (const [key, value] of Object.entries(object)) {
    if (key === 'examples' && inSchema) continue;
    collectExamples(value, [...path, key], out);
  }
  return out;
}

describe('OpenAPI document examples', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });

  it('every example validates against its schema, so sending the documented example is accepted', async () => {
    const res = await t.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const doc = res.json() as Json;
    const examples = collectExamples(doc);
    // Every route documents at least one example (its error responses'), most many more.
    expect(examples.length).toBeGreaterThan(150);
    // OpenAPI 3.1 schemas are JSON Schema 2020-12; refs like #/components/schemas/Problem resolve
    // against the document itself.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(doc, 'openapi.json');
    const failures: string[] = [];
    for (const example of examples) {
      const ref = `openapi.json#${example.schema.split('/').map(encodeURIComponent).join('/')}`;
      const validate = ajv.getSchema(ref);
      if (!validate) throw new Error(`no schema at ${example.schema}`);
      if (!validate(example.value)) failures.push(`${example.at}: ${ajv.errorsText(validate.errors)}`);
    }
    expect(failures).toEqual([]);
  });

  it('names every tag’s purpose and the license', async () => {
    const doc = (await t.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(doc.info.license).toEqual({ name: 'MIT', identifier: 'MIT' });
    expect(doc.tags.length).toBeGreaterThan(0);
    for (const tag of doc.tags) expect(tag.description, tag.name).toMatch(/\w/);
  });

  it('describes a category the admin made up by the routes it holds', async () => {
    await t.app.db.kysely
      .insertInto('route_overrides')
      .values({
        operation_id: 'listInvoices',
        enabled: 1,
        name: 'All my invoices',
        category: 'Money',
        description: null,
        updated_at_ms: Date.now(),
      })
      .execute();
    await t.app.routes.reload(t.app.db.kysely);
    const doc = (await t.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(doc.tags).toContainEqual({ name: 'Money', description: 'All my invoices.' });
  });
});
