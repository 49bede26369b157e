import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import { Worker } from '../../src/jobs/worker.js';
import { ManualClock } from '../../src/platform/clock.js';
import { jobTypes } from '../../src/provisioning/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startOwnRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

interface Readiness {
  status?: string;
  code?: string;
  detail?: string;
  checks: Record<string, string>;
  details?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

async function readyz(t: TestApp) {
  const res = await t.inject({ method: 'GET', url: '/readyz' });
  return { status: res.statusCode, type: res.headers['content-type'], body: res.json() as Readiness };
}

/** A worker beating once at start only (its next beat is an hour away), on the app's clock. */
function startWorker(app: AppContext): Worker {
  const worker = new Worker(app, jobTypes(), { pollMs: 50, heartbeatMs: 3600_000 });
  worker.start();
  return worker;
}

describe('/readyz', () => {
  it('names every dependency and its state; /healthz stays liveness only', async () => {
    const t = await createTestApp();
    const { status, body } = await readyz(t);
    expect(status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.database).toBe(t.app.db.dialect);
    expect(body.checks).toEqual({
      database: 'ready',
      ...(t.app.redis ? { redis: 'ready' } : {}),
      worker: 'none',
    });
    expect(body.details?.worker).toMatchObject({ workers: 0, last_heartbeat_at: null });

    await t.app.db.close();
    const live = await t.inject({ method: 'GET', url: '/healthz' });
    expect(live.statusCode).toBe(200);
    expect(live.json()).toEqual({ status: 'ok' });
  });

  it('answers 503 naming the database when it is closed', async () => {
    const t = await createTestApp();
    await t.app.db.close();
    const { status, type, body } = await readyz(t);
    expect(status).toBe(503);
    expect(type).toContain('application/problem+json');
    expect(body.code).toBe('unavailable');
    expect(body.detail).toBe('Not ready: database unreachable.');
    expect(body.checks.database).toBe('unreachable');
  });

  it('answers 503 naming Redis when its server is killed, and ready again when it is back', async () => {
    const redis = await startOwnRedis();
    try {
      const t = await createTestApp({ env: { REDIS_URL: redis.url } });
      expect((await readyz(t)).body.checks.redis).toBe('ready');
      await redis.stop();
      const down = await readyz(t);
      expect(down.status).toBe(503);
      expect(down.body.detail).toBe('Not ready: redis unreachable.');
      expect(down.body.checks).toMatchObject({ database: 'ready', redis: 'unreachable' });
      await redis.start();
      await waitFor(async () => (await readyz(t)).status === 200, {
        timeoutMs: 30_000,
        intervalMs: 100,
        message: '/readyz ready again once Redis is back',
      });
    } finally {
      await redis.stop();
    }
  });

  it("reports the worker's heartbeat: ready while fresh, stale after 30 s, none once it stopped; never 503", async () => {
    const clock = new ManualClock(Date.UTC(2027, 0, 1));
    const t = await createTestApp({ clock });
    const worker = startWorker(t.app);
    try {
      await waitFor(async () => (await readyz(t)).body.checks.worker === 'ready', {
        timeoutMs: 10_000,
        message: "the worker's first heartbeat",
      });
      const fresh = await readyz(t);
      expect(fresh.status).toBe(200);
      expect(fresh.body.worker).toBe('ready');
      expect(fresh.body.details?.worker).toMatchObject({
        workers: 1,
        last_heartbeat_at: '2027-01-01T00:00:00.000Z',
        last_heartbeat_age_seconds: 0,
        last_worker: worker.owner,
      });

      // The worker falls silent (its next beat is an hour away) for longer than a job lease.
      clock.advance(31_000);
      const stale = await readyz(t);
      expect(stale.status).toBe(200);
      expect(stale.body.status).toBe('ready');
      expect(stale.body.checks.worker).toBe('stale');
      expect(stale.body.details?.worker).toMatchObject({ workers: 0, last_heartbeat_age_seconds: 31 });
      const metrics = await t.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/^portico_worker_heartbeat_age_seconds 31$/m);
    } finally {
      await worker.stop();
    }
    const stopped = await readyz(t);
    expect(stopped.status).toBe(200);
    expect(stopped.body.checks.worker).toBe('none');
  });
});
