#!/usr/bin/env node
// Compiles src/ to dist/ (tsc, incremental: a rebuild after a small change takes about a second),
// then the admin area's browser modules (src/admin/ui/, their own tsconfig with the DOM types) to
// dist/admin/ui/, and copies every file of src/ that is not TypeScript (the admin area's page and
// stylesheet, the worker threads' first module) to the same place in dist/.
// `npm install`, `npm start` and `npm test` run it first.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

let tsc;
try {
  tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
} catch {
  // An install without development packages (npm install --omit=dev) runs what was built before.
  if (existsSync(join(dist, 'main.js'))) process.exit(0);
  console.error(
    'portico: dist/ is missing and TypeScript is not installed; run `npm install` (with dev packages), then `npm run build`',
  );
  process.exit(1);
}

for (const project of ['tsconfig.build.json', 'src/admin/ui/tsconfig.json']) {
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, project)], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('portico: the build failed (see the errors above); fix them, then run `npm run build`');
    process.exit(result.status ?? 1);
  }
}
cpSync(join(root, 'src'), dist, {
  recursive: true,
  filter: (path) => !path.endsWith('.ts') && !path.endsWith('tsconfig.json'),
});
