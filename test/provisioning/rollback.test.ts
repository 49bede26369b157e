import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelJob, jobDetail, retryJob } from '../../src/jobs/admin.js';
import { requestLifecycle } from '../../src/provisioning/actions.js';
import { jobTypes, LIFECYCLE_JOBS } from '../../src/provisioning/index.js';
import { runCli } from '../helpers/cli.js';
import { enqueue, type ProvisioningHarness, pendingService, service, settle, startProvisioning } from './helpers.js';

/** A rollback is a recorded step: retried, visible on the job, and never silently half-done. */
describe('rolling back a creation that gave up', () => {
  let h: ProvisioningHarness;
  let serverName: string;
  beforeAll(async () => {
    h = await startProvisioning();
    serverName = (
      await h.t.app.db.kysely
        .selectFrom('servers')
        .select('name')
        .where('id', '=', h.serverId)
        .executeTakeFirstOrThrow()
    ).name;
  });
  afterAll(async () => {
    await h?.close();
  });

  const deleteCalls = async (jobId: string) =>
    (
      await h.t.app.db.kysely
        .selectFrom('panel_calls')
        .select(['command', 'exit_code'])
        .where('job_id', '=', jobId)
        .where('command', '=', 'v-delete-user')
        .orderBy('at_ms')
        .execute()
    ).map((c) => c.exit_code);

  it('v-delete-user failing with exit 20 is retried until the account is gone; the job shows both errors', async () => {
    h.panel.faults.add({ kind: 'exit', code: 3, command: 'v-add-dns-domain' });
    h.panel.faults.add({ kind: 'exit', code: 20, command: 'v-delete-user', times: 3 });
    const { id } = await pendingService(h);
    const jobId = await enqueue(h, 'create', id);
    const job = await settle(h, jobId);
    const username = (await service(h, id)).panel_username!;
    expect(h.panel.state.users[username]).toBeUndefined();
    expect(await deleteCalls(jobId)).toEqual([20, 20, 20, 0]);
    const detail = await jobDetail(h.t.app, job.id);
    expect(detail).toMatchObject({
      state: 'failed',
      last_error: { code: 'E_NOTEXIST' },
      failure: { code: 'E_NOTEXIST' },
      rollback: { state: 'done', attempts: 4, last_error: { code: 'E_RESTART' } },
      left_behind: [],
    });
    expect(detail.failure?.message).toContain('dns');
    expect(detail.rollback?.last_error?.message).toContain('v-delete-user');
    expect(detail.steps).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'credentials', undone: true }),
        expect.objectContaining({ name: 'undo:credentials', undone: false }),
      ]),
    );
    expect((await service(h, id)).status).toBe('pending');

    // Retried by the admin, the job starts again from its first step and creates the account.
    await retryJob(h.t.app, jobId);
    expect(await jobDetail(h.t.app, jobId)).toMatchObject({ failure: null, rollback: null, left_behind: [] });
    expect((await settle(h, jobId)).state).toBe('succeeded');
    expect(h.panel.state.users[(await service(h, id)).panel_username!]).toBeDefined();
    expect((await service(h, id)).status).toBe('active');
  });

  it('a rollback that never succeeds fails the job saying what is left where; terminate then removes it', async () => {
    h.panel.faults.add({ kind: 'exit', code: 3, command: 'v-add-dns-domain' });
    h.panel.faults.add({ kind: 'exit', code: 20, command: 'v-delete-user', times: Number.POSITIVE_INFINITY });
    const { id } = await pendingService(h);
    const jobId = await enqueue(h, 'create', id);
    const job = await settle(h, jobId);
    h.panel.faults.clear();
    const username = (await service(h, id)).panel_username!;
    expect(h.panel.state.users[username]).toBeDefined();
    expect((await deleteCalls(jobId)).length).toBe(job.max_attempts);
    const detail = await jobDetail(h.t.app, jobId);
    expect(detail).toMatchObject({
      state: 'failed',
      failure: { code: 'E_NOTEXIST' },
      rollback: { state: 'incomplete', attempts: job.max_attempts, last_error: { code: 'E_RESTART' } },
    });
    expect(detail.left_behind).toEqual([
      `panel user ${username} on server ${serverName} still exists: remove it with \`portico services terminate ${id}\` (or \`portico jobs retry ${jobId}\` to create the service again with it) (made by step credentials, not undone)`,
    ]);

    const terminate = await requestLifecycle(h.t.app, {
      serviceId: id,
      action: 'terminate',
      actor: { type: 'cli', id: null },
      correlationId: 'req_test_cleanup',
    });
    expect((await settle(h, terminate)).state).toBe('succeeded');
    expect(h.panel.state.users[username]).toBeUndefined();
    expect((await service(h, id)).status).toBe('terminated');
  });

  it('an account whose creation was never confirmed (answer lost, then retries exhausted) is rolled back too', async () => {
    const maxAttempts = LIFECYCLE_JOBS.find((j) => j.type === 'service.create')!.maxAttempts;
    h.panel.faults.add({ kind: 'lost', command: 'v-add-user' });
    // Every later attempt finds the account (E_EXISTS) but cannot read it to adopt it.
    h.panel.faults.add({ kind: 'exit', code: 14, command: 'v-list-user', times: maxAttempts - 1 });
    const { id } = await pendingService(h);
    const jobId = await enqueue(h, 'create', id);
    const job = await settle(h, jobId);
    const username = (await service(h, id)).panel_username!;
    expect(job.attempts).toBe(maxAttempts);
    expect(h.panel.state.users[username]).toBeUndefined();
    expect(await jobDetail(h.t.app, jobId)).toMatchObject({
      state: 'failed',
      failure: { code: 'E_LA' },
      rollback: { state: 'done' },
      left_behind: [],
    });
  });

  it('terminating a pending service never deletes a stranger’s account of the same name', async () => {
    const { id } = await pendingService(h);
    await h.t.app.db.kysely
      .updateTable('services')
      .set({ server_id: h.serverId, panel_username: 'ustranger2' })
      .where('id', '=', id)
      .execute();
    h.panel.state.users.ustranger2 = {
      ...h.panel.state.users.admin!,
      email: 'someone@else.example',
      role: 'user',
      web: {},
      dns: {},
      mail: {},
      databases: {},
    };
    const jobId = await requestLifecycle(h.t.app, {
      serviceId: id,
      action: 'terminate',
      actor: { type: 'cli', id: null },
      correlationId: 'req_test_stranger',
    });
    expect(await settle(h, jobId)).toMatchObject({ state: 'failed', last_error_code: 'NOT_OURS' });
    expect(h.panel.state.users.ustranger2?.email).toBe('someone@else.example');
    expect((await service(h, id)).status).toBe('pending');
  });

  it('terminating a pending service is refused while its creation is still queued, and when it has no account', async () => {
    const { id } = await pendingService(h);
    const request = () =>
      requestLifecycle(h.t.app, {
        serviceId: id,
        action: 'terminate',
        actor: { type: 'cli', id: null },
        correlationId: 'req_test_refused',
      });
    await expect(request()).rejects.toThrow(/no account on a panel yet/);
    await h.t.app.db.kysely
      .updateTable('services')
      .set({ server_id: h.serverId, panel_username: 'uqueued001' })
      .where('id', '=', id)
      .execute();
    await h.worker.stop();
    try {
      const jobId = await enqueue(h, 'create', id);
      await expect(request()).rejects.toThrow(`has job ${jobId} queued`);
      await cancelJob(h.t.app, jobTypes(), jobId);
    } finally {
      h.worker.start();
    }
  });

  it('cancelling a job says what its finished steps leave on the panel', async () => {
    h.panel.faults.add({ kind: 'exit', code: 14, command: 'v-add-web-domain', times: Number.POSITIVE_INFINITY });
    const { id } = await pendingService(h);
    const jobId = await enqueue(h, 'create', id);
    const steps = () => h.t.app.db.kysely.selectFrom('job_steps').select('name').where('job_id', '=', jobId).execute();
    for (let i = 0; i < 400 && !(await steps()).some((s) => s.name === 'create-user'); i++)
      await new Promise((r) => setTimeout(r, 25));
    await h.worker.stop();
    try {
      h.panel.faults.clear();
      const username = (await service(h, id)).panel_username!;
      expect((await settle(h, jobId, () => true)).state).toBe('queued');
      const cancel = await runCli(h.t.db, ['jobs', 'cancel', jobId]);
      expect(cancel.stderr).toBe('');
      expect(cancel.stdout).toContain(`Job ${jobId} cancelled.`);
      expect(cancel.stdout).toContain(
        `Left behind: panel user ${username} on server ${serverName} still exists: remove it with \`portico services terminate ${id}\``,
      );
      expect(h.panel.state.users[username]).toBeDefined();
      expect((await jobDetail(h.t.app, jobId)).left_behind).toEqual([
        expect.stringContaining(`panel user ${username} on server ${serverName} still exists`),
      ]);
    } finally {
      h.worker.start();
    }
  });
});
