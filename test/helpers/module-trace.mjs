// Preloaded into a `portico` process (NODE_OPTIONS=--import=<this file>) by
// test/cli/lazy-loading.test.ts: writes the path of every module the process loads, ES modules
// as they load and CommonJS ones at exit, one a line, to the file named by PORTICO_MODULE_TRACE.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const out = process.env.PORTICO_MODULE_TRACE;
if (out) {
  register(
    `data:text/javascript,${encodeURIComponent(`
      import { appendFileSync } from 'node:fs';
      export async function load(url, context, next) {
        if (url.startsWith('file:')) appendFileSync(${JSON.stringify(out)}, new URL(url).pathname + '\\n');
        return next(url, context);
      }`)}`,
  );
  process.on('exit', () => {
    const cache = createRequire(import.meta.url).cache;
    appendFileSync(out, `${Object.keys(cache).join('\n')}\n`);
  });
}
