/**
 * `npm run openapi:write`: regenerates the committed OpenAPI documents (docs/openapi/) from the
 * route declarations. Run it after changing a route's contract and commit the result, so the
 * change shows in review. It also writes the admin area's types generated from the Admin API's
 * document (scripts/openapi-types.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateOpenApiDocuments, OPENAPI_FILES } from './openapi-documents.js';
import { ADMIN_API_TYPES_FILE, adminApiTypes } from './openapi-types.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const documents = await generateOpenApiDocuments();
for (const [name, file] of Object.entries(OPENAPI_FILES)) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), documents[name as keyof typeof OPENAPI_FILES]);
  console.log(`wrote ${file}`);
}
writeFileSync(join(root, ADMIN_API_TYPES_FILE), adminApiTypes(documents.admin));
console.log(`wrote ${ADMIN_API_TYPES_FILE}`);
