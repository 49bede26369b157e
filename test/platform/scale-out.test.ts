import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type SandboxPanel, startSandboxPanel } from '../../src/sandbox/server.js';
import { addServer } from '../../src/servers/servers.js';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { basicHeader, newAdmin, newClient, newProduct, newService } from '../helpers/factories.js';
import { waitFor } from '../helpers/wait.js';
import { enqueueCreate } from '../provisioning/helpers.js';

/**
 * The production shape, as processes: two `portico serve` instances and two `portico worker`
 * processes on one PostgreSQL database and one Redis. What one instance is told, the other
 * knows; the rate limit counts both; provisioning spreads over both workers and runs each job
 * once. (Throughput of the pair against one instance is a figure: `npm run bench`.)
 *
 * Instances poll the configuration version every 250 ms, so a change lands within a second; the
 * waits allow 5 s because the suite runs many processes at once on small machines, and the
 * propagation time itself is measured by the bench.
 */
const BIN = resolve(import.meta.dirname, '../../bin/portico.js');
const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
const ADMIN = { email: 'ops@scale.test', password: 'scale-out-admin-1' };

interface Proc {
  child: ChildProcess;
  output: () => string;
}

function start(db: TestDatabase, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      PORTICO_DATA_DIR: db.dataDir,
      DATABASE_URL: db.databaseUrl ?? '',
      REDIS_URL: db.redisUrl ?? '',
      PORTICO_REDIS_PREFIX: db.redisNamespace,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  return { child, output: () => output };
}

async function startServe(db: TestDatabase, env: Record<string, string>): Promise<{ proc: Proc; base: string }> {
  const proc = start(db, ['serve'], { PORT: '0', PORTICO_WORKER: 'off', PORTICO_BILLING: 'off', ...env });
  const base = await waitFor(() => /User API\s+(http:\S+)\/api\/v1/.exec(proc.output())?.[1], {
    timeoutMs: 30_000,
    message: `portico serve starting:\n${proc.output()}`,
  });
  return { proc, base };
}

describe.runIf(shared)('two instances and two workers on one PostgreSQL and Redis', () => {
  const procs: Proc[] = [];
  const panels: SandboxPanel[] = [];
  const after: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const p of procs.splice(0)) {
      p.child.kill('SIGTERM');
      if (p.child.exitCode === null) await new Promise((r) => p.child.once('exit', r));
    }
    for (const p of panels.splice(0)) await p.close();
    for (const done of after.splice(0).reverse()) await done();
  });

  it('share settings, routes and the rate limit, and split provisioning without running a job twice', async () => {
    const db = await createTestDatabase();
    const masterKey = randomBytes(32).toString('base64');
    after.push(() => db.drop());
    const t = await createTestApp({ db, env: { PORTICO_MASTER_KEY: masterKey } });
    after.push(() => t.close());
    // The admin here is a script over HTTP Basic: no second factor.
    await t.app.settings.set('admin.require_totp_for', 'none');
    await newAdmin(t.app, ADMIN);
    const env = { PORTICO_MASTER_KEY: masterKey };
    const [a, b] = await Promise.all([startServe(db, env), startServe(db, env)]);
    procs.push(a.proc, b.proc);
    const admin = { authorization: basicHeader(ADMIN.email, ADMIN.password), 'content-type': 'application/json' };

    // A settings change through one instance is applied by the other.
    const patched = await fetch(`${a.base}/admin/api/v1/userapi/settings`, {
      method: 'PATCH',
      headers: admin,
      body: JSON.stringify({ 'userapi.rate_limit': '6/60s' }),
    });
    expect(patched.status).toBe(200);
    const watcher = await newClient(t.app);
    await waitFor(
      async () =>
        (await fetch(`${b.base}/api/v1/services`, { headers: { authorization: watcher.basic } })).headers.get(
          'ratelimit-policy',
        ) === '"default";q=6;w=60',
      { timeoutMs: 5_000, message: 'the new rate limit applied by the other instance' },
    );

    // One client's requests, alternating between the instances, are counted together.
    const counted = await newClient(t.app);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const base = i % 2 === 0 ? a.base : b.base;
      statuses.push((await fetch(`${base}/api/v1/services`, { headers: { authorization: counted.basic } })).status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(6);
    expect(statuses.slice(6).every((s) => s === 429)).toBe(true);

    // A route switched off through one instance is gone from the other.
    const reader = await newClient(t.app);
    expect((await fetch(`${a.base}/api/v1/account`, { headers: { authorization: reader.basic } })).status).toBe(200);
    const off = await fetch(`${b.base}/admin/api/v1/userapi/routes/getAccount`, {
      method: 'PATCH',
      headers: admin,
      body: JSON.stringify({ enabled: false }),
    });
    expect(off.status).toBe(200);
    await waitFor(
      async () =>
        (await fetch(`${a.base}/api/v1/account`, { headers: { authorization: reader.basic } })).status === 404,
      { timeoutMs: 5_000, message: 'the route switched off on the other instance' },
    );

    // Provisioning: two worker processes share the queue.
    for (let i = 0; i < 2; i++) {
      const panel = await startSandboxPanel();
      panels.push(panel);
      // Slow enough panels that the queue outlasts the second worker's start.
      panel.faults.add({ kind: 'latency', ms: 150, times: Number.POSITIVE_INFINITY });
      await addServer(t.app, {
        name: `scale${i}`,
        host: panel.host,
        port: panel.port,
        credentials: { kind: 'access_key', ...panel.accessKey },
        tls: { mode: 'pin', sha256: panel.fingerprintSha256 },
        capacity: 50,
      });
    }
    // Both workers running before the jobs arrive, so the queue is shared from its first job. One
    // job at a time each: with two servers (one job at a time on each, by their locks) a worker
    // of concurrency 4 keeps both busy alone, and the one whose job frees a lock claims the next
    // job first — the queue is only shared once one worker cannot take all that can run.
    const worker = () => start(db, ['worker', '--poll-ms', '50', '--concurrency', '1'], env);
    const workers = [worker(), worker()];
    procs.push(...workers);
    await waitFor(() => workers.every((w) => w.output().includes('worker started')), {
      timeoutMs: 30_000,
      message: 'both workers started',
    });
    const product = await newProduct(t.app);
    const owner = await newClient(t.app);
    const jobIds: string[] = [];
    for (let i = 0; i < 16; i++) {
      const svc = await newService(t.app, {
        clientId: owner.row.id,
        productId: product.id,
        status: 'pending',
        domain: `scale${i}.example`,
      });
      jobIds.push(await enqueueCreate(t.app, { serviceId: svc.id, clientId: owner.row.id, tag: `scale_${i}` }));
    }
    const jobs = await waitFor(
      async () => {
        const rows = await t.app.db.kysely.selectFrom('jobs').selectAll().where('id', 'in', jobIds).execute();
        return rows.every((j) => j.state === 'succeeded') ? rows : null;
      },
      { timeoutMs: 60_000, message: 'the 16 accounts provisioned by the two workers' },
    );
    expect(jobs.every((j) => j.attempts === 1)).toBe(true);
    const adds = panels.flatMap((p) => p.calls.filter((c) => c.cmd === 'v-add-user').map((c) => c.user));
    expect(adds).toHaveLength(16);
    expect(new Set(adds).size).toBe(16);
    // Each job succeeded in exactly one of the worker processes, and both did some.
    // A worker logs a job's success just after recording it.
    const succeededIn = await waitFor(
      () => {
        const ids = workers.map((w) =>
          w
            .output()
            .split('\n')
            .filter((line) => line.includes('job succeeded'))
            .map((line) => /"jobId":"(job_[^"]+)"/.exec(line)?.[1]),
        );
        return ids.flat().length >= jobIds.length ? ids : null;
      },
      { message: 'both workers logging the 16 successes' },
    );
    expect(succeededIn.flat().sort()).toEqual([...jobIds].sort());
    expect(succeededIn.every((ids) => ids.length > 0)).toBe(true);
  }, 120_000);
});
