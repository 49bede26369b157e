import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimJob, insertJob, type NewJob, releaseServer } from '../../src/jobs/store.js';
import { newId } from '../../src/platform/ids.js';
import { addServer } from '../../src/servers/servers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

/** Claiming jobs: a paused server's jobs wait, and never hold up other servers' jobs. */
describe('job claim and paused servers', () => {
  let t: TestApp;
  let paused: string;
  let active: string;
  const now = Date.now();
  const job = (serverId: string, i: number): NewJob => ({
    id: newId('job', now - 10_000 + i),
    type: 'service.create',
    payload: '{}',
    state: 'queued',
    attempts: 0,
    max_attempts: 5,
    run_after_ms: now - 10_000 + i,
    lease_owner: null,
    lease_expires_at_ms: null,
    server_id: serverId,
    service_id: null,
    client_id: null,
    correlation_id: `claim-${i}`,
    last_error_code: null,
    last_error_message: null,
    created_at_ms: now - 10_000 + i,
    updated_at_ms: now - 10_000 + i,
    finished_at_ms: null,
  });
  const claim = () =>
    claimJob(t.app.db.kysely, { dialect: t.app.db.dialect, owner: 'test', nowMs: Date.now(), leaseMs: 60_000 });

  beforeAll(async () => {
    t = await createTestApp();
    const server = (name: string) =>
      addServer(t.app, {
        name,
        host: '127.0.0.1',
        port: 8083,
        credentials: { kind: 'access_key', id: 'A'.repeat(20), secret: 'S'.repeat(40) },
        tls: { mode: 'system' },
      });
    paused = (await server('paused1')).id;
    active = (await server('active1')).id;
    await t.app.db.kysely
      .updateTable('servers')
      .set({ paused_reason: 'Invalid secret key', paused_at_ms: now })
      .where('id', '=', paused)
      .execute();
    // More due jobs on the paused server than one claim looks at, all older than the other job.
    for (let i = 0; i < 30; i++) await insertJob(t.app.db.kysely, job(paused, i));
    await insertJob(t.app.db.kysely, job(active, 100));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('claims the other server’s job, and none of the paused server’s', async () => {
    const claimed = await claim();
    expect(claimed?.server_id).toBe(active);
    expect(await claim()).toBeUndefined();
  });

  it('claims the paused server’s jobs once it is resumed', async () => {
    await t.app.db.kysely.updateTable('servers').set({ paused_reason: null }).where('id', '=', paused).execute();
    expect((await claim())?.server_id).toBe(paused);
  });
});

/** A server busy with one job: its other jobs wait without holding up another server's. */
describe('job claim and busy servers', () => {
  it('claims a free server’s job behind more waiting jobs of a busy server than one claim looks at', async () => {
    const t = await createTestApp();
    const now = Date.now();
    const server = async (name: string) =>
      (
        await addServer(t.app, {
          name,
          host: '127.0.0.1',
          port: 8083,
          credentials: { kind: 'access_key', id: 'A'.repeat(20), secret: 'S'.repeat(40) },
          tls: { mode: 'system' },
        })
      ).id;
    const busy = await server('busy1');
    const free = await server('free1');
    const job = (serverId: string, i: number): NewJob => ({
      id: newId('job', now - 10_000 + i),
      type: 'service.create',
      payload: '{}',
      state: 'queued',
      attempts: 0,
      max_attempts: 5,
      run_after_ms: now - 10_000 + i,
      lease_owner: null,
      lease_expires_at_ms: null,
      server_id: serverId,
      service_id: null,
      client_id: null,
      correlation_id: `busy-${i}`,
      last_error_code: null,
      last_error_message: null,
      created_at_ms: now - 10_000 + i,
      updated_at_ms: now - 10_000 + i,
      finished_at_ms: null,
    });
    const claim = () =>
      claimJob(t.app.db.kysely, { dialect: t.app.db.dialect, owner: 'test', nowMs: Date.now(), leaseMs: 60_000 });
    for (let i = 0; i < 30; i++) await insertJob(t.app.db.kysely, job(busy, i));
    await insertJob(t.app.db.kysely, job(free, 100));

    const running = await claim();
    expect(running?.server_id).toBe(busy);
    // The busy server's lock is held by `running`: the next claim skips its 29 other jobs.
    expect((await claim())?.server_id).toBe(free);
    expect(await claim()).toBeUndefined();
    // Once the lock is released, its next job is claimed.
    await releaseServer(t.app.db.kysely, busy, running!.id);
    expect((await claim())?.server_id).toBe(busy);
  });
});
