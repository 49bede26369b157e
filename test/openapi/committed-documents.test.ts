import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateOpenApiDocuments, OPENAPI_FILES } from '../../scripts/openapi-documents.js';
import { ADMIN_API_TYPES_FILE, adminApiTypes } from '../../scripts/openapi-types.js';

/**
 * The OpenAPI documents are committed (docs/openapi/), so a change of contract — a field, a
 * status, an error — shows in review. This fails when the code and the committed documents part.
 */
describe('committed OpenAPI documents', () => {
  it.each(Object.entries(OPENAPI_FILES))('%s: %s is what the code generates', async (name, file) => {
    const generated = (await generateOpenApiDocuments())[name as keyof typeof OPENAPI_FILES];
    let committed = '';
    try {
      committed = readFileSync(join(import.meta.dirname, '../..', file), 'utf8');
    } catch {
      // A missing file fails below with the same instruction.
    }
    if (committed !== generated) {
      // Name the first operation that differs, so the message says where to look.
      const was = committed ? ((JSON.parse(committed) as { paths?: Record<string, unknown> }).paths ?? {}) : {};
      const now = (JSON.parse(generated) as { paths: Record<string, unknown> }).paths;
      const changed = [...new Set([...Object.keys(was), ...Object.keys(now)])].filter(
        (p) => JSON.stringify(was[p]) !== JSON.stringify(now[p]),
      );
      expect.fail(
        `${file} differs from what the code generates${changed.length ? ` (paths: ${changed.slice(0, 5).join(', ')})` : ''}. Run \`npm run openapi:write\` and commit the result.`,
      );
    }
  });

  it(`the admin area's types (${ADMIN_API_TYPES_FILE}) are generated from the committed Admin API document`, async () => {
    const generated = adminApiTypes((await generateOpenApiDocuments()).admin);
    const committed = readFileSync(join(import.meta.dirname, '../..', ADMIN_API_TYPES_FILE), 'utf8');
    expect(
      committed === generated,
      `${ADMIN_API_TYPES_FILE} is stale: run \`npm run openapi:write\` and commit it`,
    ).toBe(true);
  });

  it('generates the same text twice: no timestamps, no host names', async () => {
    const [a, b] = [await generateOpenApiDocuments(), await generateOpenApiDocuments()];
    expect(a).toEqual(b);
    for (const text of Object.values(a)) expect(text).not.toMatch(/localhost|127\.0\.0\.1|portico-openapi-/);
  });
});
