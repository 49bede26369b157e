import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * The admin area: one HTML page, one script, one stylesheet, served from this process (no build
 * step, no CDN). It is just another client of the Admin API, authenticated by the session cookie.
 */
const DIR = join(import.meta.dirname, 'ui');
const FILES = {
  html: readFileSync(join(DIR, 'index.html'), 'utf8'),
  js: readFileSync(join(DIR, 'app.js'), 'utf8'),
  css: readFileSync(join(DIR, 'app.css'), 'utf8'),
};
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-cache',
};

export function registerAdminUi(server: FastifyInstance): void {
  const page = async (_request: unknown, reply: import('fastify').FastifyReply) =>
    reply.headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(FILES.html);
  server.get('/admin', page);
  server.get('/admin/', page);
  server.get('/admin/app.js', async (_request, reply) =>
    reply.headers(SECURITY_HEADERS).type('text/javascript; charset=utf-8').send(FILES.js),
  );
  // Browsers ask for a favicon on every page; answer without a 404 in the logs.
  server.get('/favicon.ico', async (_request, reply) => reply.code(204).send());
  server.get('/admin/app.css', async (_request, reply) =>
    reply.headers(SECURITY_HEADERS).type('text/css; charset=utf-8').send(FILES.css),
  );
}
