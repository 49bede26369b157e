import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The admin area: one HTML page, one stylesheet and the browser modules compiled from
 * src/admin/ui/*.ts (`npm run build`, their own tsconfig), served from this process — nothing
 * from another host. It is just another client of the Admin API, authenticated by the session
 * cookie. Run from dist/, the modules are beside this file; run from the sources (tests,
 * `npm run dev`), they are read from the last build in dist/admin/ui/.
 */
const DIR = join(import.meta.dirname, 'ui');
const BUILT = existsSync(join(DIR, 'main.js')) ? DIR : join(import.meta.dirname, '..', '..', 'dist', 'admin', 'ui');

interface Assets {
  html: string;
  css: string;
  /** Module path under /admin/ (`main.js`, `pages/clients.js`) → its text. */
  modules: Map<string, string>;
}
let assets: Assets | undefined;

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Read once, on the first request: a missing build is a clear answer, not a failed start. */
function load(): Assets | undefined {
  if (assets) return assets;
  if (!existsSync(join(BUILT, 'main.js'))) return undefined;
  assets = {
    html: readFileSync(join(DIR, 'index.html'), 'utf8'),
    css: readFileSync(join(DIR, 'app.css'), 'utf8'),
    modules: new Map(
      jsFiles(BUILT).map((file) => [relative(BUILT, file).split('\\').join('/'), readFileSync(file, 'utf8')]),
    ),
  };
  return assets;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-cache',
};

function notBuilt(reply: FastifyReply) {
  return reply
    .code(503)
    .type('text/plain; charset=utf-8')
    .send('The admin area is not built: run `npm run build` (npm start and npm test do it), then reload.');
}

export function registerAdminUi(server: FastifyInstance): void {
  const page = async (_request: unknown, reply: FastifyReply) => {
    const a = load();
    if (!a) return notBuilt(reply);
    return reply.headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(a.html);
  };
  server.get('/admin', page);
  server.get('/admin/', page);
  server.get<{ Params: { '*': string } }>('/admin/js/*', async (request, reply) => {
    const a = load();
    if (!a) return notBuilt(reply);
    const text = a.modules.get(request.params['*']);
    if (text === undefined) return reply.code(404).type('text/plain; charset=utf-8').send('No such module.');
    return reply.headers(SECURITY_HEADERS).type('text/javascript; charset=utf-8').send(text);
  });
  // Browsers ask for a favicon on every page; answer without a 404 in the logs.
  server.get('/favicon.ico', async (_request, reply) => reply.code(204).send());
  server.get('/admin/app.css', async (_request, reply) => {
    const a = load();
    if (!a) return notBuilt(reply);
    return reply.headers(SECURITY_HEADERS).type('text/css; charset=utf-8').send(a.css);
  });
}
