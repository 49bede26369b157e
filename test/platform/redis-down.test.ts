import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/databases.js';
import { type OwnRedis, startOwnRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const BIN = resolve(import.meta.dirname, '../../bin/portico.js');

/** `portico serve` in a child process, so what it writes to stderr can be checked. */
async function serve(env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', PORTICO_WORKER: 'off', PORTICO_SANDBOX: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`serve did not start:\n${stdout}${stderr}`);
      return /User API\s+(http:\S+)\/api\/v1/.test(stdout);
    },
    { timeoutMs: 60_000, message: 'serve printing its banner' },
  );
  const base = /User API\s+(http:\S+)\/api\/v1/.exec(stdout)![1]!;
  return { child, base, stdout: () => stdout, stderr: () => stderr };
}

describe('with Redis down', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()?.();
  });

  it('answers 503 problem+json with Retry-After at once, is not ready, and recovers by itself', async () => {
    const redis: OwnRedis = await startOwnRedis();
    cleanups.push(() => redis.stop());
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const run = await serve({
      PORTICO_DATA_DIR: db.dataDir,
      PORTICO_DEMO: 'off',
      REDIS_URL: redis.url,
      ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
    });
    const child: ChildProcess = run.child;
    cleanups.push(async () => {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    });
    // The User API's rate limit (300/60s by default) is counted in Redis on every request.
    expect((await fetch(`${run.base}/api/v1/categories`)).status).toBe(200);
    expect((await fetch(`${run.base}/readyz`)).status).toBe(200);

    await redis.stop();
    const down = await fetch(`${run.base}/api/v1/categories`);
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(down.headers.get('x-request-id')).toBeTruthy();
    expect(await down.json()).toMatchObject({
      code: 'unavailable',
      status: 503,
      detail: expect.stringContaining('Redis'),
    });
    const notReady = await fetch(`${run.base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({
      code: 'unavailable',
      checks: { database: 'ready', redis: 'unreachable' },
    });

    await redis.start();
    await waitFor(async () => (await fetch(`${run.base}/api/v1/categories`)).status === 200, {
      timeoutMs: 30_000,
      intervalMs: 100,
      message: 'the User API answering again once Redis is back',
    });
    expect(await (await fetch(`${run.base}/readyz`)).json()).toMatchObject({ status: 'ready', redis: 'ready' });

    child.kill('SIGTERM');
    await once(child, 'exit');
    // No unhandled ioredis 'error' events (they go to stderr), and the outage is logged once.
    expect(run.stderr()).toBe('');
    expect(run.stdout().match(/Redis is unreachable/g)).toHaveLength(1);
  });
});
