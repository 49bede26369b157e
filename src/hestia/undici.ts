import { createRequire } from 'node:module';

type Undici = typeof import('undici');
let loaded: Undici | undefined;

/**
 * undici, required when the first panel client is built: code that only reads the servers table
 * (`portico server list`) imports this folder without loading the HTTP client.
 */
export function undici(): Undici {
  loaded ??= createRequire(import.meta.url)('undici') as Undici;
  return loaded;
}
