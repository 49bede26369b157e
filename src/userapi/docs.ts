import scalar from '@scalar/fastify-api-reference';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { buildOpenApiDocument } from './openapi.js';
import { API_PREFIX } from './route-table.js';

/**
 * `/api/v1/openapi.json` (always current) and the interactive documentation page at `/api/docs`
 * (Scalar, served from this process — no CDN), which loads that document in the browser, so the
 * provider's name, logo, intro and route changes show on the next page load.
 */
export async function registerUserApiDocs(server: FastifyInstance, app: AppContext): Promise<void> {
  server.get(`${API_PREFIX}/openapi.json`, async (_request, reply) => {
    reply.header('cache-control', 'no-cache');
    return buildOpenApiDocument(app);
  });
  await server.register(scalar, {
    routePrefix: '/api/docs',
    logLevel: 'warn',
    configuration: {
      url: `${API_PREFIX}/openapi.json`,
      pageTitle: 'API documentation',
      hideClientButton: false,
      defaultOpenAllTags: true,
      // Hosted Scalar services (AI chat, MCP generation, sharing) would send the provider's API
      // description off-site; a self-hosted billing system keeps its docs to itself.
      agent: { disabled: true },
      mcp: { disabled: true },
      showDeveloperTools: 'never',
      telemetry: false,
    } as never,
  });
}
