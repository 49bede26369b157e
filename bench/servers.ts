import { type ChildProcess, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { DEMO_CLIENT } from '../src/demo/seed.js';
import { freePort, startProcess, stopProcess, waitForHttp } from './load.js';

/** The servers the benchmarks load: bare Fastify, and Portico with demo data and an admin. */
const BIN = resolve(import.meta.dirname, '../bin/portico.js');
const RUN_TS = resolve(import.meta.dirname, '../bin/run-ts.js');

function cli(env: Record<string, string>, ...args: string[]): void {
  const res = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`portico ${args.join(' ')} failed: ${res.stderr}`);
}

export interface Server {
  base: string;
  child: ChildProcess;
  dataDir?: string;
}

export async function startBare(): Promise<Server> {
  const port = await freePort();
  const child = startProcess([RUN_TS, resolve(import.meta.dirname, 'bare-fastify.ts'), String(port)], {});
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/`);
  return { base, child };
}

export const porticoEnv = (dataDir: string) => ({
  PORTICO_DATA_DIR: dataDir,
  PORTICO_DEMO: 'on',
  LOG_LEVEL: 'warn',
  PORTICO_WORKER: 'off',
});

/** A Portico with the demo data, rate limiting on (with a limit the bench never reaches), the log off. */
export async function startPortico(extraEnv: Record<string, string> = {}): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-bench-'));
  const env = { ...porticoEnv(dataDir), ...extraEnv };
  cli(env, 'settings', 'set', 'userapi.rate_limit', '100000000/60s');
  // The bench's admin is a script: an owner without a second factor (scripts get accounts of their own).
  cli(env, 'settings', 'set', 'admin.require_totp_for', 'none');
  cli(env, 'demo');
  cli(env, 'admin', 'create', '--email', BENCH_ADMIN.email, '--password', BENCH_ADMIN.password);
  return { ...(await startServe(env)), dataDir };
}

/** One more `portico serve` on an existing install (the same database): nothing seeded. */
export async function startServe(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const child = startProcess([BIN, 'serve'], { ...env, PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/healthz`);
  return { base, child };
}

export async function stop(server: Server): Promise<void> {
  await stopProcess(server.child);
  if (server.dataDir) rmSync(server.dataDir, { recursive: true, force: true });
}

export async function accessToken(base: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: DEMO_CLIENT.email, password: DEMO_CLIENT.password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export const BENCH_ADMIN = { email: 'bench-admin@portico.test', password: 'bench-admin-password-1' };

/**
 * Switches the request log of a running Portico through the Admin API, as an admin's script does
 * (the CLI would put a whole process start, seconds of CPU on this machine, next to a sample): one
 * cookie session, then a settings change per call, applied at once by the instance it reaches.
 */
export async function loggingSwitch(base: string): Promise<(on: boolean) => Promise<void>> {
  const session = await fetch(`${base}/admin/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(BENCH_ADMIN),
  });
  if (session.status !== 200) throw new Error(`admin login failed: ${session.status} ${await session.text()}`);
  const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrf_token } = (await session.json()) as { csrf_token: string };
  return async (on) => {
    const res = await fetch(`${base}/admin/api/v1/userapi/settings`, {
      method: 'PATCH',
      headers: { cookie, 'x-csrf-token': csrf_token, 'content-type': 'application/json' },
      body: JSON.stringify({ 'userapi.logging': on ? 'on' : 'off' }),
    });
    if (res.status !== 200) throw new Error(`setting userapi.logging failed: ${res.status} ${await res.text()}`);
  };
}

/**
 * A database of its own on the PostgreSQL server (BENCH_PG_URL, default the local server's
 * `postgres` database), or the reason there is none.
 */
export async function createPgDatabase(): Promise<{ url: string; drop: () => Promise<void> } | string> {
  const base = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch (error) {
    return `no PostgreSQL server answers at ${base} (${(error as Error).message}); set BENCH_PG_URL`;
  }
  const name = `portico_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
