import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueJob } from '../../src/jobs/queue.js';
import { enqueue, type ProvisioningHarness, pendingService, settle, startProvisioning } from './helpers.js';

/** A job whose payload does not fit its type's schema is refused before it touches a panel. */
describe('lifecycle job payloads', () => {
  let h: ProvisioningHarness;
  beforeAll(async () => {
    h = await startProvisioning();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function queueRaw(type: string, payload: unknown, serverId: string | null) {
    const db = h.t.app.db.kysely;
    return db.transaction().execute((trx) =>
      enqueueJob(trx, {
        type,
        payload,
        maxAttempts: 8,
        correlationId: 'req_test_payload',
        serverId,
        nowMs: Date.now(),
      }),
    );
  }

  async function panelCalls(jobId: string) {
    return h.t.app.db.kysely.selectFrom('panel_calls').select('command').where('job_id', '=', jobId).execute();
  }

  it('an operation of an unknown kind fails at once as BAD_PAYLOAD naming the field, with no panel call', async () => {
    const { id } = await pendingService(h);
    expect((await settle(h, await enqueue(h, 'create', id))).state).toBe('succeeded');
    const jobId = await queueRaw(
      'service.panel_action',
      { serviceId: id, actor: { type: 'system', id: null }, op: { kind: 'rename_account', database: 'x' } },
      h.serverId,
    );
    const job = await settle(h, jobId);
    expect(job).toMatchObject({ state: 'failed', attempts: 1, failure_code: 'BAD_PAYLOAD' });
    expect(job.failure_message).toContain('/op');
    expect(await panelCalls(jobId)).toEqual([]);
  });

  it('a creation without its actor fails at once as BAD_PAYLOAD, before any account is made', async () => {
    const { id } = await pendingService(h);
    const jobId = await queueRaw('service.create', { serviceId: id }, null);
    const job = await settle(h, jobId);
    expect(job).toMatchObject({ state: 'failed', attempts: 1, failure_code: 'BAD_PAYLOAD' });
    expect(job.failure_message).toContain('/actor');
    expect(await panelCalls(jobId)).toEqual([]);
    const svc = await h.t.app.db.kysely
      .selectFrom('services')
      .select(['status', 'server_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(svc).toEqual({ status: 'pending', server_id: null });
  });
});
