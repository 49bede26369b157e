import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from '../../src/jobs/worker.js';
import { jobTypes } from '../../src/provisioning/index.js';
import { type SandboxPanel, startSandboxPanel } from '../../src/sandbox/server.js';
import { addServer } from '../../src/servers/servers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newClient, newProduct, newService } from '../helpers/factories.js';
import { enqueueCreate } from './helpers.js';

describe('two workers on one database', () => {
  let t: TestApp;
  let panels: SandboxPanel[];
  beforeAll(async () => {
    t = await createTestApp();
    panels = [await startSandboxPanel(), await startSandboxPanel()];
  });
  afterAll(async () => {
    for (const p of panels ?? []) await p.close();
    await t?.close();
  });

  it('never run one job twice, and never overlap mutations on one server', async () => {
    for (const [i, p] of panels.entries()) {
      await addServer(t.app, {
        name: `pair${i}`,
        host: p.host,
        port: p.port,
        credentials: { kind: 'access_key', ...p.accessKey },
        tls: { mode: 'pin', sha256: p.fingerprintSha256 },
        capacity: 50,
      });
      p.faults.add({ kind: 'latency', ms: 5, times: Number.POSITIVE_INFINITY });
    }
    const product = await newProduct(t.app);
    const owner = await newClient(t.app);
    const jobIds: string[] = [];
    for (let i = 0; i < 16; i++) {
      const svc = await newService(t.app, {
        clientId: owner.row.id,
        productId: product.id,
        status: 'pending',
        domain: `pair${i}.example`,
      });
      jobIds.push(await enqueueCreate(t.app, { serviceId: svc.id, clientId: owner.row.id, tag: `pair_${i}` }));
    }
    const twin = await t.twin();
    const workers = [
      new Worker(t.app, jobTypes(), { pollMs: 10, concurrency: 4, backoffBaseMs: 10 }),
      new Worker(twin.app, jobTypes(), { pollMs: 10, concurrency: 4, backoffBaseMs: 10 }),
    ];
    for (const w of workers) w.start();
    const deadline = Date.now() + 60_000;
    let open = 1;
    while (open > 0 && Date.now() < deadline) {
      open = (await t.app.db.kysely.selectFrom('jobs').select('id').where('state', '!=', 'succeeded').execute()).length;
      await new Promise((r) => setTimeout(r, 25));
    }
    for (const w of workers) await w.stop();
    const jobs = await t.app.db.kysely.selectFrom('jobs').selectAll().where('id', 'in', jobIds).execute();
    expect(jobs.every((j) => j.state === 'succeeded' && j.attempts === 1)).toBe(true);
    const adds = panels.flatMap((p) => p.calls.filter((c) => c.cmd === 'v-add-user').map((c) => c.user));
    expect(adds).toHaveLength(16);
    expect(new Set(adds).size).toBe(16);
    // Both servers were used, and each panel saw its calls strictly one job at a time.
    for (const p of panels) {
      expect(p.calls.length).toBeGreaterThan(0);
      const order = p.calls.map((c) => c.user).filter((u): u is string => !!u && u !== 'json');
      const runs = order.filter((u, i) => i === 0 || u !== order[i - 1]);
      expect(new Set(runs).size).toBe(runs.length);
    }
  }, 90_000);
});
