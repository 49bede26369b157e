import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEMO_CLIENT } from '../src/demo/seed.js';
import { freePort, type LoadResult, load, printTable, startProcess, stopProcess, waitForHttp } from './load.js';

/**
 * `npm run bench`: bare Fastify and Portico on this machine, measured in one run with the same
 * load (autocannon, 50 connections), so the ratios are comparable. Servers run in their own
 * processes; the load comes from this one.
 */
const BIN = resolve(import.meta.dirname, '../bin/portico.js');
const RUN_TS = resolve(import.meta.dirname, '../bin/run-ts.js');
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);

function cli(env: Record<string, string>, ...args: string[]): void {
  const res = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`portico ${args.join(' ')} failed: ${res.stderr}`);
}

async function bare(): Promise<LoadResult> {
  const port = await freePort();
  const child = startProcess([RUN_TS, resolve(import.meta.dirname, 'bare-fastify.ts'), String(port)], {});
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`);
    await load({ name: 'warm-up', url: `http://127.0.0.1:${port}/`, durationS: 2 });
    return await load({ name: 'bare Fastify hello-world', url: `http://127.0.0.1:${port}/`, durationS: DURATION_S });
  } finally {
    await stopProcess(child);
  }
}

async function login(base: string): Promise<string | undefined> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: DEMO_CLIENT.email, password: DEMO_CLIENT.password }),
  });
  if (res.status !== 200) return undefined;
  return ((await res.json()) as { access_token: string }).access_token;
}

async function portico(): Promise<LoadResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-bench-'));
  const env = { PORTICO_DATA_DIR: dataDir, PORTICO_DEMO: 'on', LOG_LEVEL: 'warn', PORTICO_WORKER: 'off' };
  const rows: LoadResult[] = [];
  // Rate limiting stays on, with a limit the bench never reaches: its cost is measured, not its 429s.
  cli(env, 'settings', 'set', 'userapi.rate_limit', '100000000/60s');
  cli(env, 'demo');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = startProcess([BIN, 'serve'], { ...env, PORT: String(port) });
  try {
    await waitForHttp(`${base}/healthz`);
    const basic = `Basic ${Buffer.from(`${DEMO_CLIENT.email}:${DEMO_CLIENT.password}`).toString('base64')}`;
    const url = `${base}/api/v1/services`;
    const token = await login(base);
    await load({ name: 'warm-up', url, headers: { authorization: basic }, durationS: 2 });
    if (token) {
      rows.push(
        await load({
          name: 'Portico GET /services, JWT, rate limit on',
          url,
          headers: { authorization: `Bearer ${token}` },
          durationS: DURATION_S,
        }),
      );
    } else {
      console.log('(JWT login is not available in this build: JWT rows skipped)');
    }
    rows.push(
      await load({
        name: 'Portico GET /services, Basic, rate limit on',
        url,
        headers: { authorization: basic },
        durationS: DURATION_S,
      }),
    );
    if (token) {
      cli(env, 'settings', 'set', 'userapi.logging', 'on');
      await new Promise((r) => setTimeout(r, 1000));
      rows.push(
        await load({
          name: 'Portico GET /services, JWT, request log ON',
          url,
          headers: { authorization: `Bearer ${token}` },
          durationS: DURATION_S,
        }),
      );
      cli(env, 'settings', 'set', 'userapi.logging', 'off');
      await new Promise((r) => setTimeout(r, 1000));
      rows.push(
        await load({
          name: 'Portico POST /auth/login (scrypt + RS256 sign)',
          url: `${base}/api/v1/auth/login`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: DEMO_CLIENT.email, password: DEMO_CLIENT.password }),
          durationS: DURATION_S,
        }),
      );
    }
  } finally {
    await stopProcess(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}

function ratio(a: LoadResult | undefined, b: LoadResult | undefined): string {
  return a && b ? `${Math.round((a.requestsPerS / b.requestsPerS) * 100)} %` : 'n/a';
}

const baseline = await bare();
const rows = await portico();
printTable([baseline, ...rows], baseline);
const jwt = rows.find((r) => r.name.includes('JWT, rate limit on'));
const basicRow = rows.find((r) => r.name.includes('Basic'));
const logged = rows.find((r) => r.name.includes('request log ON'));
console.log(`\nJWT path vs bare Fastify: ${ratio(jwt, baseline)} (target ≥ 50 %)`);
console.log(`Basic vs JWT:             ${ratio(basicRow, jwt)} (target ≥ 90 %)`);
console.log(`Request log on vs off:    ${ratio(logged, jwt)} (target ≥ 90 %, i.e. logging costs ≤ 10 %)`);
console.log(
  `p99 at 50 connections:    ${rows.map((r) => `${r.p99Ms} ms`).join(', ')} (target < 20 ms on the GET rows)`,
);

const provisioning = resolve(import.meta.dirname, 'provisioning.ts');
if (existsSync(provisioning) && process.env.BENCH_SKIP_PROVISIONING !== '1') {
  await import(provisioning);
}
