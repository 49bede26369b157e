/**
 * `npm run lint:openapi`: builds the User API's and the Admin API's OpenAPI documents from the
 * route declarations (scripts/openapi-documents.ts) and lints each with Redocly's recommended
 * rules. Any warning or error fails, so third-party tooling (client generators, gateways, mock
 * servers) gets documents it accepts as they are.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateOpenApiDocuments } from './openapi-documents.js';

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer?: string }[] }[];
}

const TITLES = { user: 'User API', admin: 'Admin API' } as const;

function lint(file: string): LintReport {
  const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
  const run = spawnSync(process.execPath, [cli, 'lint', '--extends=recommended', '--format=json', file], {
    encoding: 'utf8',
    // A CI check runs offline: no usage report, no update check.
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
  try {
    return JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as LintReport;
  } catch {
    process.stderr.write(run.stdout + run.stderr);
    throw new Error(`redocly lint gave no report (exit ${run.status}).`);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'portico-openapi-lint-'));
try {
  const documents = await generateOpenApiDocuments();
  for (const [name, text] of Object.entries(documents)) {
    const title = TITLES[name as keyof typeof TITLES];
    const file = join(dir, `${name}-api.json`);
    writeFileSync(file, text);
    const report = lint(file);
    for (const p of report.problems) {
      console.error(`${title}: ${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '#'}`);
    }
    const { errors, warnings } = report.totals;
    if (errors + warnings > 0) {
      console.error(
        `${title} OpenAPI document: ${errors} errors, ${warnings} warnings under redocly's recommended rules.`,
      );
      process.exitCode = 1;
    } else {
      console.log(`${title} OpenAPI document: no problems under redocly lint --extends=recommended.`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
