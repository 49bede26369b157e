import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEMO_CLIENT } from '../src/demo/seed.js';
import { freePort, startProcess, stopProcess, waitForHttp } from './load.js';

/** The servers the benchmarks load: bare Fastify, and Portico with demo data and an admin. */
const BIN = resolve(import.meta.dirname, '../bin/portico.js');
const RUN_TS = resolve(import.meta.dirname, '../bin/run-ts.js');

export function cli(env: Record<string, string>, ...args: string[]): void {
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
export async function startPortico(): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-bench-'));
  const env = porticoEnv(dataDir);
  cli(env, 'settings', 'set', 'userapi.rate_limit', '100000000/60s');
  cli(env, 'demo');
  cli(env, 'admin', 'create', '--email', BENCH_ADMIN.email, '--password', BENCH_ADMIN.password);
  const port = await freePort();
  const child = startProcess([BIN, 'serve'], { ...env, PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/healthz`);
  return { base, child, dataDir };
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
const adminBasic = `Basic ${Buffer.from(`${BENCH_ADMIN.email}:${BENCH_ADMIN.password}`).toString('base64')}`;

/**
 * Switches the request log of a running Portico through the Admin API, as an admin's script does
 * (the CLI would put a whole process start, seconds of CPU on this machine, next to the sample),
 * and waits until it has taken effect.
 */
export async function setLogging(server: Server, on: boolean): Promise<void> {
  const res = await fetch(`${server.base}/admin/api/v1/userapi/settings`, {
    method: 'PATCH',
    headers: { authorization: adminBasic, 'content-type': 'application/json' },
    body: JSON.stringify({ 'userapi.logging': on ? 'on' : 'off' }),
  });
  if (res.status !== 200) throw new Error(`setting userapi.logging failed: ${res.status} ${await res.text()}`);
  // Every instance applies a settings change within one second (config-watcher.ts).
  await new Promise((r) => setTimeout(r, 1_200));
}
