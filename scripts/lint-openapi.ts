/**
 * `npm run lint:openapi`: builds the User API's OpenAPI document from the route declarations (an
 * app on a throw-away embedded database with the default settings, no server) and lints it with
 * Redocly's recommended rules. Any warning or error fails, so third-party tooling (client
 * generators, gateways, mock servers) gets a document it accepts as it is.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/platform/log.js';
import { openApp } from '../src/runtime.js';
import { buildOpenApiDocument } from '../src/userapi/openapi.js';

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer?: string }[] }[];
}

const dir = mkdtempSync(join(tmpdir(), 'portico-openapi-'));
try {
  // Only the data directory is set: no DATABASE_URL or REDIS_URL from the caller's environment.
  const app = await openApp(
    loadConfig({ PORTICO_DATA_DIR: dir, PORTICO_DEMO: 'off', PORTICO_SANDBOX: 'off', PORTICO_WORKER: 'off' }),
    { logger: silentLogger() },
  );
  const file = join(dir, 'openapi.json');
  try {
    writeFileSync(file, JSON.stringify(buildOpenApiDocument(app), null, 2));
  } finally {
    await app.close();
  }
  const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
  const run = spawnSync(process.execPath, [cli, 'lint', '--extends=recommended', '--format=json', file], {
    encoding: 'utf8',
    // A CI check runs offline: no usage report, no update check.
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const json = run.stdout.slice(run.stdout.indexOf('{'));
  let report: LintReport;
  try {
    report = JSON.parse(json) as LintReport;
  } catch {
    process.stderr.write(run.stdout + run.stderr);
    throw new Error(`redocly lint gave no report (exit ${run.status}).`);
  }
  for (const p of report.problems) {
    console.error(`${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '#'}`);
  }
  const { errors, warnings } = report.totals;
  if (errors + warnings > 0) {
    console.error(`OpenAPI document: ${errors} errors, ${warnings} warnings under redocly's recommended rules.`);
    process.exitCode = 1;
  } else {
    console.log('OpenAPI document: no problems under redocly lint --extends=recommended.');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
