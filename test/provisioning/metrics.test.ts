import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue, type ProvisioningHarness, pendingService, settle, startProvisioning } from './helpers.js';

describe('/metrics', () => {
  let h: ProvisioningHarness;
  beforeAll(async () => {
    h = await startProvisioning();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('exposes jobs by state, job and panel-call durations, and panel errors by code', async () => {
    h.panel.faults.add({ kind: 'exit', code: 14, command: 'v-add-user' });
    const { id } = await pendingService(h);
    expect((await settle(h, await enqueue(h, 'create', id))).state).toBe('succeeded');
    const res = await h.t.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/portico_jobs\{state="succeeded"\} 1/);
    expect(res.body).toMatch(/portico_job_duration_seconds_count\{type="service.create",outcome="succeeded"\} 1/);
    expect(res.body).toMatch(/portico_panel_call_duration_seconds_count\{server="[^"]+",command="v-add-user"\} 2/);
    expect(res.body).toMatch(/portico_panel_errors_total\{server="[^"]+",code="E_LA"\} 1/);
  });
});
