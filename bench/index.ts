import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEMO_CLIENT } from '../src/demo/seed.js';
import { type LoadResult, load, median, printTable } from './load.js';
import { logAlternation } from './log-alternation.js';
import {
  accessToken,
  BENCH_ADMIN,
  createPgDatabase,
  loggingSwitch,
  porticoEnv,
  type Server,
  startBare,
  startPortico,
  startServe,
  stop,
} from './servers.js';

/**
 * `npm run bench`: bare Fastify and Portico on this machine, measured in one run with the same
 * load (autocannon, 50 connections), so the ratios are comparable. Servers run in their own
 * processes, all started up front; the load comes from this one.
 *
 * This machine's throughput drifts by tens of percent from one minute to the next, so one sample
 * per scenario would make the ratios noise. The scenarios are run in rounds, one after the other
 * in each round and in reverse order every other round, and every ratio is the median of the
 * per-round ratios (each taken between samples seconds apart); the table shows the median and the
 * range of each scenario, and the server's CPU time per request.
 *
 * The request log row measures the same Portico process with `userapi.logging` switched on (as an
 * admin does, without a restart) against its own rounds with it off; comparing two processes
 * would add their difference (JIT, memory layout: several percent here) to the log's cost. Every
 * sample follows the same settings change through the Admin API and a pause, so none carries a
 * cost the others do not. The log's ratio of record comes after the rounds, from one long load
 * switching it every second (log-alternation.ts).
 */
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const LOG_ALTERNATION_S = Number(process.env.BENCH_LOG_ALTERNATION_S ?? 120);

interface Scenario {
  name: string;
  /** Run before and after each sample of this scenario. */
  before?: () => Promise<void>;
  after?: () => Promise<void>;
  url: string;
  serverPid?: number | undefined;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

const basic = `Basic ${Buffer.from(`${DEMO_CLIENT.email}:${DEMO_CLIENT.password}`).toString('base64')}`;
const loginBody = JSON.stringify({ email: DEMO_CLIENT.email, password: DEMO_CLIENT.password });

const servers: Server[] = [];
let dropPg: (() => Promise<void>) | undefined;
try {
  const bare = await startBare();
  servers.push(bare);
  const portico = await startPortico();
  servers.push(portico);
  const token = await accessToken(portico.base);
  // The production shape: PostgreSQL (a database of its own) and Redis for the rate limiter.
  const pgDatabase = await createPgDatabase();
  if (typeof pgDatabase === 'string') throw new Error(pgDatabase);
  dropPg = pgDatabase.drop;
  const pgEnv = {
    DATABASE_URL: pgDatabase.url,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    PORTICO_REDIS_PREFIX: `bench-${process.pid}`,
  };
  const porticoPg = await startPortico(pgEnv);
  servers.push(porticoPg);
  const pgToken = await accessToken(porticoPg.base);
  const switchLogging = await loggingSwitch(portico.base);
  // Every sample follows the same settings change and pause.
  const setLogging = async (on: boolean) => {
    await switchLogging(on);
    await new Promise((r) => setTimeout(r, 1_200));
  };

  const scenarios = {
    bare: {
      name: 'bare Fastify hello-world',
      url: `${bare.base}/`,
      serverPid: bare.child.pid,
      before: () => setLogging(false),
    },
    jwt: {
      name: 'Portico GET /services, JWT, rate limit on',
      url: `${portico.base}/api/v1/services`,
      serverPid: portico.child.pid,
      headers: { authorization: `Bearer ${token}` },
      before: () => setLogging(false),
    },
    basic: {
      name: 'Portico GET /services, Basic, rate limit on',
      url: `${portico.base}/api/v1/services`,
      serverPid: portico.child.pid,
      headers: { authorization: basic },
      before: () => setLogging(false),
    },
    pgJwt: {
      name: 'Portico on PostgreSQL + Redis, GET /services, JWT',
      url: `${porticoPg.base}/api/v1/services`,
      serverPid: porticoPg.child.pid,
      headers: { authorization: `Bearer ${pgToken}` },
      before: () => setLogging(false),
    },
    pgBasic: {
      name: 'Portico on PostgreSQL + Redis, GET /services, Basic',
      url: `${porticoPg.base}/api/v1/services`,
      serverPid: porticoPg.child.pid,
      headers: { authorization: basic },
      before: () => setLogging(false),
    },
    logged: {
      name: 'Portico GET /services, JWT, request log ON',
      url: `${portico.base}/api/v1/services`,
      serverPid: portico.child.pid,
      headers: { authorization: `Bearer ${token}` },
      before: () => setLogging(true),
    },
  } satisfies Record<string, Scenario>;
  type Key = keyof typeof scenarios;
  const keys = Object.keys(scenarios) as Key[];

  const sample = async (key: Key, name: string, durationS: number): Promise<LoadResult> => {
    const scenario: Scenario = scenarios[key];
    await scenario.before?.();
    try {
      return await load({ ...scenario, name, durationS });
    } finally {
      await scenario.after?.();
    }
  };
  // JWT next to Basic and to the log row: the ratios that matter compare neighbouring samples.
  const RUN_ORDER: Key[] = ['bare', 'basic', 'jwt', 'pgJwt', 'pgBasic', 'logged'];
  for (const key of RUN_ORDER) await sample(key, 'warm-up', 2);
  const samples = Object.fromEntries(keys.map((k) => [k, [] as LoadResult[]])) as Record<Key, LoadResult[]>;
  for (let round = 1; round <= ROUNDS; round++) {
    // Every other round runs the scenarios in reverse order, so a steady drift of the machine's speed
    // favours no scenario over another (ABBA).
    for (const key of round % 2 === 1 ? RUN_ORDER : [...RUN_ORDER].reverse())
      samples[key].push(await sample(key, scenarios[key].name, DURATION_S));
    const last = (k: Key) => samples[k][round - 1]?.requestsPerS ?? 0;
    console.log(
      `round ${round}/${ROUNDS}: ${keys.map((k) => `${k} ${last(k)}`).join(', ')} req/s (log on/off ${Math.round((last('logged') / last('jwt')) * 100)} %)`,
    );
  }
  await setLogging(false);
  const login = await load({
    name: 'Portico POST /auth/login (scrypt + RS256 sign)',
    url: `${portico.base}/api/v1/auth/login`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: loginBody,
    durationS: DURATION_S,
  });

  const pair = await scaleOut(porticoPg, pgEnv, { authorization: `Bearer ${pgToken}` });

  const summary = (k: Key): LoadResult & { range: string } => {
    const rows = samples[k];
    const rates = rows.map((r) => r.requestsPerS);
    return {
      name: scenarios[k].name,
      requestsPerS: Math.round(median(rates)),
      p99Ms: median(rows.map((r) => r.p99Ms)),
      non2xx: rows.reduce((sum, r) => sum + r.non2xx, 0),
      ...(rows.every((r) => r.cpuUsPerRequest !== undefined)
        ? {
            cpuUsPerRequest: median(rows.map((r) => r.cpuUsPerRequest ?? 0)),
            mainCpuUsPerRequest: median(rows.map((r) => r.mainCpuUsPerRequest ?? 0)),
          }
        : {}),
      range: `${Math.min(...rates)}–${Math.max(...rates)}`,
    };
  };
  const summaries = Object.fromEntries(keys.map((k) => [k, summary(k)])) as Record<Key, ReturnType<typeof summary>>;
  const table = keys.map((k) => summaries[k]);
  console.log(`\nMedian of ${ROUNDS} rounds of ${DURATION_S} s each (range in brackets):`);
  printTable([...table, { ...login, range: 'one run' }], summaries.bare);
  const ratio = (a: Key, b: Key) =>
    `${Math.round(median(samples[a].map((s, i) => s.requestsPerS / (samples[b][i]?.requestsPerS ?? Number.NaN))) * 100)} %`;
  console.log(`\nJWT path vs bare Fastify: ${ratio('jwt', 'bare')} (target ≥ 50 %)`);
  console.log(`Basic vs JWT:             ${ratio('basic', 'jwt')} (target ≥ 90 %)`);
  console.log(`PostgreSQL + Redis, JWT:  ${ratio('pgJwt', 'bare')} of bare Fastify (target ≥ 40 %)`);
  console.log(
    `PostgreSQL + Redis, Basic: ${ratio('pgBasic', 'bare')} of bare Fastify, ${ratio('pgBasic', 'pgJwt')} of JWT`,
  );
  const alternation = await logAlternation({ portico, token, durationS: LOG_ALTERNATION_S });
  console.log(
    `Request log on vs off:    ${Math.round(alternation.ratio * 100)} % (target ≥ 90 %, i.e. logging costs ≤ 10 %): median of ${alternation.windows} one-second windows with it on, each against the windows either side with it off (range ${Math.round(Math.min(...alternation.ratios) * 100)}–${Math.round(Math.max(...alternation.ratios) * 100)} %); the rounds above give ${ratio('logged', 'jwt')}`,
  );
  const cpu = (k: Key) => summaries[k].mainCpuUsPerRequest ?? Number.NaN;
  console.log(
    `Request thread CPU:       ${cpu('jwt').toFixed(1)} µs/request with the log off, ${cpu('logged').toFixed(1)} on (+${Math.round((cpu('logged') / cpu('jwt') - 1) * 100)} %)`,
  );
  console.log(
    `p99 at 50 connections:    ${table
      .slice(1)
      .map((r) => `${r.p99Ms} ms`)
      .join(', ')} (target < 20 ms on the GET rows)`,
  );
  console.log(
    `Two instances, one PostgreSQL + Redis: ${pair.both} req/s over both (p99 ${pair.p99Ms} ms) against ${pair.one} for one instance in the same minute (${Math.round((pair.both / pair.one) * 100)} %); a settings change through one instance was applied by the other after ${pair.propagationMs} ms`,
  );
} finally {
  for (const server of servers) await stop(server);
  await dropPg?.();
}

// The request log's cost per entry, stage by stage, without HTTP (bench/request-log.ts).
await import('./request-log.js');

const provisioning = resolve(import.meta.dirname, 'provisioning.ts');
if (existsSync(provisioning) && process.env.BENCH_SKIP_PROVISIONING !== '1') {
  await import(provisioning);
}

const billing = resolve(import.meta.dirname, 'billing.ts');
if (existsSync(billing) && process.env.BENCH_SKIP_BILLING !== '1') {
  await import(billing);
}

/**
 * Scale-out as a figure: a second `portico serve` on the same PostgreSQL and Redis; the same 50
 * connections on one instance, then spread 25 and 25 over both. On this 2-core machine the pair
 * shares the cores with the load generator, so the ratio says what a second instance costs here,
 * not what a second machine would add. Then how long a settings change made through one instance
 * takes to reach the other (each polls the configuration version every 250 ms).
 */
async function scaleOut(first: Server, env: Record<string, string>, headers: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-bench-'));
  const second = { ...(await startServe({ ...porticoEnv(dataDir), ...env, PORTICO_DEMO: 'off' })), dataDir };
  servers.push(second);
  const url = (s: Server) => `${s.base}/api/v1/services`;
  await load({ name: 'warm-up', url: url(second), headers, durationS: 2 });
  const one = await load({ name: 'one instance', url: url(first), headers, durationS: DURATION_S });
  const [a, b] = await Promise.all([
    load({ name: 'pair A', url: url(first), headers, connections: 25, durationS: DURATION_S }),
    load({ name: 'pair B', url: url(second), headers, connections: 25, durationS: DURATION_S }),
  ]);
  const admin = {
    authorization: `Basic ${Buffer.from(`${BENCH_ADMIN.email}:${BENCH_ADMIN.password}`).toString('base64')}`,
    'content-type': 'application/json',
  };
  const started = performance.now();
  const changed = await fetch(`${first.base}/admin/api/v1/userapi/settings`, {
    method: 'PATCH',
    headers: admin,
    body: JSON.stringify({ 'userapi.rate_limit': '100000001/60s' }),
  });
  if (changed.status !== 200) throw new Error(`settings change failed: ${changed.status} ${await changed.text()}`);
  for (;;) {
    const res = await fetch(url(second), { headers });
    await res.arrayBuffer();
    if (res.headers.get('ratelimit-policy')?.includes('q=100000001')) break;
    if (performance.now() - started > 10_000) throw new Error('the settings change never reached the second instance');
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    one: one.requestsPerS,
    both: a.requestsPerS + b.requestsPerS,
    p99Ms: Math.max(a.p99Ms, b.p99Ms),
    propagationMs: Math.round(performance.now() - started),
  };
}
