/**
 * The OpenAPI documents as the code generates them with the embedded defaults: an app on a
 * throw-away embedded database with the default settings, no server, no public URL — so the
 * output depends on nothing but the code (no timestamps, no host names). `npm run openapi:write`
 * commits them to docs/openapi/, `npm run lint:openapi` lints them, and a test fails when the
 * committed ones differ from these.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAdminOpenApiDocument } from '../src/admin/openapi.js';
import { adminApiRoutes } from '../src/admin/routes.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/platform/log.js';
import { openApp } from '../src/runtime.js';
import { buildOpenApiDocument } from '../src/userapi/openapi.js';

/** Where each document is committed, relative to the repository root. */
export const OPENAPI_FILES = {
  user: 'docs/openapi/user-api.json',
  admin: 'docs/openapi/admin-api.json',
} as const;

/** Each document as the text committed (two-space JSON and a final newline). */
export async function generateOpenApiDocuments(): Promise<Record<keyof typeof OPENAPI_FILES, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-openapi-'));
  try {
    // Only the data directory is set: no DATABASE_URL, REDIS_URL or PORTICO_PUBLIC_URL from the caller's environment.
    const app = await openApp(
      loadConfig({ PORTICO_DATA_DIR: dir, PORTICO_DEMO: 'off', PORTICO_SANDBOX: 'off', PORTICO_WORKER: 'off' }),
      { logger: silentLogger() },
    );
    try {
      const text = (doc: unknown) => `${JSON.stringify(doc, null, 2)}\n`;
      return {
        user: text(buildOpenApiDocument(app)),
        admin: text(buildAdminOpenApiDocument(app, adminApiRoutes)),
      };
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
