import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from '../../src/jobs/worker.js';
import { jobTypes } from '../../src/provisioning/index.js';
import { type SandboxPanel, startSandboxPanel } from '../../src/sandbox/server.js';
import { addServer } from '../../src/servers/servers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newClient, newProduct, newService } from '../helpers/factories.js';
import { enqueueCreate } from './helpers.js';

/**
 * Kill -9 the worker at random points while it provisions: afterwards every order ends active or
 * cleanly failed, no account exists twice, none is half-made, and the panel matches the records.
 */
const BIN = resolve(import.meta.dirname, '../../bin/portico.js');
const KILLS = 12;
const SERVICES = 8;

describe('chaos: a worker killed with SIGKILL at random points', () => {
  let t: TestApp;
  let panel: SandboxPanel;
  beforeAll(async () => {
    t = await createTestApp();
    panel = await startSandboxPanel();
  });
  afterAll(async () => {
    await panel?.close();
    await t?.close();
  });

  it('loses nothing, duplicates nothing, leaves nothing half-made', async () => {
    await addServer(t.app, {
      name: 'chaos',
      host: panel.host,
      port: panel.port,
      credentials: { kind: 'access_key', ...panel.accessKey },
      tls: { mode: 'pin', sha256: panel.fingerprintSha256 },
    });
    // Every panel call takes a while, so kills land inside jobs, between and inside steps.
    panel.faults.add({ kind: 'latency', ms: 15, times: Number.POSITIVE_INFINITY });
    const product = await newProduct(t.app);
    const owner = await newClient(t.app);
    const services: string[] = [];
    for (let i = 0; i < SERVICES; i++) {
      const svc = await newService(t.app, {
        clientId: owner.row.id,
        productId: product.id,
        status: 'pending',
        domain: `chaos${i}.example`,
      });
      services.push(svc.id);
      await enqueueCreate(t.app, { serviceId: svc.id, clientId: owner.row.id, tag: `chaos_${i}` });
    }
    const env = {
      PATH: process.env.PATH ?? '',
      PORTICO_DATA_DIR: t.db.dataDir,
      LOG_LEVEL: 'silent',
      ...(t.db.databaseUrl ? { DATABASE_URL: t.db.databaseUrl } : {}),
    };
    const stepsDone = async () => (await t.app.db.kysely.selectFrom('job_steps').select('job_id').execute()).length;
    let killedMidJob = 0;
    for (let i = 0; i < KILLS; i++) {
      const child = spawn(process.execPath, [BIN, 'worker', '--lease-ms', '400', '--poll-ms', '20'], {
        env,
        stdio: 'ignore',
      });
      // Wait until this worker is really working (its first panel call lands), then kill it at a
      // random point a little later: inside a step, between steps, or while writing an outcome.
      const before = panel.calls.length;
      const started = Date.now();
      while (panel.calls.length === before && Date.now() - started < 15_000 && (await stepsDone()) < SERVICES * 5) {
        await new Promise((r) => setTimeout(r, 10));
      }
      if (panel.calls.length > before) killedMidJob += 1;
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 120)));
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    expect(killedMidJob).toBeGreaterThan(KILLS / 2);
    // A healthy worker finishes what the killed ones left, once their leases expire.
    const worker = new Worker(t.app, jobTypes(), { pollMs: 20, leaseMs: 400, backoffBaseMs: 20 });
    worker.start();
    const deadline = Date.now() + 60_000;
    let open = Number.POSITIVE_INFINITY;
    while (open > 0 && Date.now() < deadline) {
      open = (
        await t.app.db.kysely.selectFrom('jobs').select('id').where('state', 'in', ['queued', 'running']).execute()
      ).length;
      if (open > 0) await new Promise((r) => setTimeout(r, 50));
    }
    await worker.stop();
    expect(open).toBe(0);

    const rows = await t.app.db.kysely.selectFrom('services').selectAll().where('id', 'in', services).execute();
    const jobs = await t.app.db.kysely.selectFrom('jobs').selectAll().execute();
    expect(jobs.every((j) => j.state === 'succeeded' || j.state === 'failed')).toBe(true);
    const panelUsers = Object.entries(panel.state.users).filter(([name]) => name !== panel.rootUser);
    const active = rows.filter((r) => r.status === 'active');
    // Every account on the panel belongs to exactly one active service, complete with its domains.
    expect(panelUsers.map(([name]) => name).sort()).toEqual(active.map((r) => r.panel_username).sort());
    for (const svc of active) {
      const account = panel.state.users[svc.panel_username!]!;
      expect(account.email).toBe(owner.email);
      expect(Object.keys(account.web)).toEqual([svc.domain]);
      expect(Object.keys(account.dns)).toEqual([svc.domain]);
    }
    // Services that did not end active are pending with a failed job, and own nothing on the panel.
    for (const svc of rows.filter((r) => r.status !== 'active')) {
      expect(svc.status).toBe('pending');
      expect(jobs.find((j) => j.service_id === svc.id)?.state).toBe('failed');
    }
    expect(active.length).toBeGreaterThan(0);
  }, 120_000);
});
