#!/usr/bin/env node
// The `portico` command. Runs the compiled JavaScript in dist/ (`npm run build`; `npm install`,
// `npm start` and `npm test` build first). PORTICO_FROM_SOURCE=1 runs the TypeScript sources
// through tsx instead (a development package: `npm run dev`).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/main.js', import.meta.url);
let main;
if (process.env.PORTICO_FROM_SOURCE === '1' || !existsSync(compiled)) {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    console.error('portico: dist/ is missing; run `npm run build` (or `npm install`, which builds it)');
    process.exit(1);
  }
  register();
  ({ main } = await import('../src/main.ts'));
} else {
  ({ main } = await import(compiled.href));
}
await main(process.argv);
