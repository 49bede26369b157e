import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

const TRACER = pathToFileURL(resolve(import.meta.dirname, '../helpers/module-trace.mjs')).href;

/** Runs `portico …` and returns its result with the npm packages it loaded. */
async function packagesLoadedBy(db: TestDatabase, dir: string, args: string[]) {
  const trace = join(dir, `${args.join('-').replace(/[^\w-]/g, '')}.txt`);
  const result = await runCli(db, args, {
    env: { NODE_OPTIONS: `--import=${TRACER}`, PORTICO_MODULE_TRACE: trace },
  });
  const packages = new Set(
    readFileSync(trace, 'utf8')
      .split('\n')
      .map((path) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1])
      .filter((name): name is string => name !== undefined),
  );
  return { ...result, packages };
}

/** What serving HTTP, PDFs, panel calls, token checks and metrics load; no listed command needs them. */
const SERVER_SIDE = [
  'fastify',
  '@fastify/swagger',
  '@scalar/fastify-api-reference',
  '@sinclair/typebox',
  'ajv',
  'pdfkit',
  'undici',
  'jose',
  'prom-client',
  'selfsigned',
];

describe('portico loads only what the command runs', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'portico-trace-'));
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers --help from the command declarations alone: no feature, database or server package', async () => {
    const help = await packagesLoadedBy(db, dir, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('settings');
    expect([...help.packages].sort()).toEqual(['commander']);
    const sub = await packagesLoadedBy(db, dir, ['clients', 'list', '--help']);
    expect(sub.stdout).toContain('--status <status>');
    expect([...sub.packages].sort()).toEqual(['commander']);
  });

  it.each([
    [['settings', 'get', 'billing.time_zone'], /\S/],
    [['jobs', 'list'], /^$/],
    [['clients', 'list'], /No clients match/],
    [['invoices', 'list'], /./s],
    [['server', 'list'], /./s],
  ])('runs `%s` on the database without the server-side packages', async (args, output) => {
    const run = await packagesLoadedBy(db, dir, args);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(output);
    expect(run.packages.has('kysely')).toBe(true);
    expect(SERVER_SIDE.filter((name) => run.packages.has(name))).toEqual([]);
    // The other database's driver and Redis (runCli sets no REDIS_URL) stay unloaded.
    if (!db.databaseUrl) expect(run.packages.has('pg')).toBe(false);
    expect(run.packages.has('ioredis')).toBe(false);
  });

  it('still loads a feature when its command runs: routes list reads the route declarations', async () => {
    const run = await packagesLoadedBy(db, dir, ['routes', 'list']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('listServices');
    expect(run.packages.has('@sinclair/typebox')).toBe(true);
  });
});
