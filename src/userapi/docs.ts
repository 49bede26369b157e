import { randomBytes } from 'node:crypto';
import scalar from '@scalar/fastify-api-reference';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../app-context.js';
import { loadDocsFonts } from './docs-fonts.js';
import { buildOpenApiDocument } from './openapi.js';
import { API_PREFIX } from './route-table.js';

/**
 * `/api/v1/openapi.json` (always current) and the interactive documentation page at `/api/docs`
 * (Scalar, served from this process — no CDN), which loads that document in the browser, so the
 * provider's name, logo, intro and route changes show on the next page load. Everything the page
 * loads comes from this server: the provider's customers' browsers talk to the provider only.
 */
const DOCS_PREFIX = '/api/docs';
const FONTS_PREFIX = `${DOCS_PREFIX}/fonts`;

const origin = (url: string | undefined) => {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
};

/**
 * The admin area's headers, with a policy that fits the renderer: scripts come from this server,
 * and the page's one inline script carries a fresh nonce per response (eval stays refused: the
 * renderer only probes for it and does without). Styles may be inline, because the renderer
 * writes its stylesheets and style attributes at run time. Images may also come from the
 * provider's logo host; requests made from the page ("try it") go to this server or its public URL.
 */
function contentSecurityPolicy(app: Pick<AppContext, 'settings' | 'config'>, nonce: string): string {
  const logo = origin(app.settings.snapshot['userapi.docs.logo_url']);
  const publicUrl = origin(app.config.publicUrl);
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data:${logo ? ` ${logo}` : ''}`,
    "font-src 'self'",
    `connect-src 'self'${publicUrl ? ` ${publicUrl}` : ''}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function securityHeaders(reply: FastifyReply, csp: string): void {
  reply.header('content-security-policy', csp);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'same-origin');
}

/** Gives the page's script tags this response's nonce, and links the fonts' stylesheet. */
function withNonce(html: string, nonce: string): string {
  return html
    .replace('<head>', `<head>\n    <link rel="stylesheet" href="${FONTS_PREFIX}/fonts.css" />`)
    .replaceAll('<script', `<script nonce="${nonce}"`);
}

export async function registerUserApiDocs(server: FastifyInstance, app: AppContext): Promise<void> {
  server.get(`${API_PREFIX}/openapi.json`, async (_request, reply) => {
    reply.header('cache-control', 'no-cache');
    return buildOpenApiDocument(app);
  });
  const fonts = loadDocsFonts(FONTS_PREFIX);
  // A context of its own, so these hooks see the docs routes only.
  await server.register(async (docs) => {
    docs.addHook('onSend', async (_request, reply, payload) => {
      const type = String(reply.getHeader('content-type') ?? '');
      if (!type.startsWith('text/html') || typeof payload !== 'string') {
        securityHeaders(reply, "default-src 'none'; frame-ancestors 'none'");
        return payload;
      }
      const nonce = randomBytes(16).toString('base64');
      securityHeaders(reply, contentSecurityPolicy(app, nonce));
      reply.header('cache-control', 'no-cache');
      return withNonce(payload, nonce);
    });
    docs.get(`${FONTS_PREFIX}/fonts.css`, async (_request, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=86400').send(fonts.css),
    );
    docs.get<{ Params: { file: string } }>(`${FONTS_PREFIX}/:file`, async (request, reply) => {
      const data = fonts.file(request.params.file);
      if (!data) return reply.callNotFound();
      return reply.type('font/woff2').header('cache-control', 'public, max-age=86400').send(data);
    });
    await docs.register(scalar, {
      routePrefix: DOCS_PREFIX,
      logLevel: 'warn',
      configuration: {
        url: `${API_PREFIX}/openapi.json`,
        pageTitle: 'API documentation',
        hideClientButton: false,
        defaultOpenAllTags: true,
        // The renderer's own @font-face rules point at its vendor's font host; fonts.css serves the
        // same typefaces from here instead.
        withDefaultFonts: false,
        // Hosted Scalar services (AI chat, MCP generation, sharing) would send the provider's API
        // description off-site; a self-hosted billing system keeps its docs to itself.
        agent: { disabled: true },
        mcp: { disabled: true },
        showDeveloperTools: 'never',
        telemetry: false,
      } as never,
    });
  });
}
