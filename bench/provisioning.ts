import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insertCategory, insertProduct } from '../src/catalog/store.js';
import { createClient } from '../src/clients/clients.js';
import { loadConfig } from '../src/config.js';
import { Worker } from '../src/jobs/worker.js';
import { newId } from '../src/platform/ids.js';
import { silentLogger } from '../src/platform/log.js';
import { enqueueLifecycle, jobTypes } from '../src/provisioning/index.js';
import { openApp } from '../src/runtime.js';
import { addServer } from '../src/servers/servers.js';
import { insertService } from '../src/services/store.js';
import { freePort } from './load.js';

/**
 * Provisioning throughput: N accounts (user + web domain + DNS zone) across K sandbox panels,
 * each panel call delayed L ms. Per-server serialisation bounds the wall time; the engine's own
 * overhead is the server time not spent waiting for the panel, per job.
 */
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1000);
const PANELS = Number(process.env.BENCH_PANELS ?? 4);
const LATENCY_MS = Number(process.env.BENCH_PANEL_LATENCY_MS ?? 50);

async function startPanelProcess() {
  const port = await freePort();
  const bin = join(import.meta.dirname, '../bin/portico.js');
  const args = [bin, 'sandbox-panel', '--port', String(port), '--latency-ms', String(LATENCY_MS), '--unlimited'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  const deadline = Date.now() + 30_000;
  while (!/Access key: (\w+):(\S+)/.test(out)) {
    if (Date.now() > deadline) throw new Error(`sandbox panel did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const [, id = '', secret = ''] = /Access key: (\w+):(\S+)/.exec(out) ?? [];
  const fingerprint = /Certificate SHA-256: (\S+)/.exec(out)?.[1] ?? '';
  return { child, port, id, secret, fingerprint };
}

const dataDir = mkdtempSync(join(tmpdir(), 'portico-bench-prov-'));
const app = await openApp(loadConfig({ PORTICO_DATA_DIR: dataDir, PORTICO_DEMO: 'off' }), { logger: silentLogger() });
// The panels run in their own processes, so their work does not count as the engine's.
const panels = await Promise.all(Array.from({ length: PANELS }, () => startPanelProcess()));
try {
  for (const [i, p] of panels.entries()) {
    await addServer(app, {
      name: `bench${i}`,
      host: '127.0.0.1',
      port: p.port,
      credentials: { kind: 'access_key', id: p.id, secret: p.secret },
      tls: { mode: 'pin', sha256: p.fingerprint },
      capacity: ACCOUNTS,
    });
  }
  const now = Date.now();
  const categoryId = newId('category', now);
  await insertCategory(app.db.kysely, { id: categoryId, slug: 'bench', name: 'Bench', description: '', sort_order: 1 });
  const productId = newId('product', now);
  await insertProduct(
    app.db.kysely,
    {
      id: productId,
      category_id: categoryId,
      slug: 'bench',
      name: 'Bench',
      description: '',
      module: 'hestia',
      panel_package: 'starter',
      server_group: 'default',
      features: JSON.stringify({ webDomain: true, dnsZone: true, mailDomain: false }),
      enabled: 1,
      sort_order: 1,
      created_at_ms: now,
    },
    [{ product_id: productId, billing_cycle: 'monthly', amount_minor: 100, setup_fee_minor: 0, currency: 'USD' }],
  );
  const client = await createClient(
    { db: app.db.kysely, clock: app.clock },
    { email: 'bench@example.test', name: 'Bench', password: 'bench-password-1' },
  );
  await app.db.kysely.transaction().execute(async (trx) => {
    for (let i = 0; i < ACCOUNTS; i++) {
      const id = newId('service', now);
      await insertService(trx, {
        id,
        client_id: client.id,
        product_id: productId,
        domain: `bench${i}.example`,
        status: 'pending',
        billing_cycle: 'monthly',
        amount_minor: 100,
        currency: 'USD',
        created_at_ms: now,
        updated_at_ms: now,
      });
      await enqueueLifecycle(trx, {
        action: 'create',
        serviceId: id,
        clientId: client.id,
        serverId: null,
        correlationId: `req_bench_${i}`,
        actor: { type: 'system', id: null },
        nowMs: now,
      });
    }
  });
  const worker = new Worker(app, jobTypes(), { concurrency: PANELS * 2, pollMs: 5 });
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  worker.start();
  for (;;) {
    const open = await app.db.kysely
      .selectFrom('jobs')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .where('state', 'in', ['queued', 'running'])
      .executeTakeFirstOrThrow();
    if (Number(open.n) === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const wallS = (performance.now() - started) / 1000;
  // The engine's CPU time (this process only: the panels run in their own) is a figure the
  // machine's other load shifts far less than the wall-time overhead above.
  const cpu = process.cpuUsage(cpuBefore);
  await worker.stop();
  const failed = await app.db.kysely.selectFrom('jobs').select('id').where('state', '!=', 'succeeded').execute();
  const panelMs = await app.db.kysely
    .selectFrom('panel_calls')
    .select(({ fn }) => [fn.sum<number>('duration_ms').as('ms'), fn.countAll<number>().as('n')])
    .executeTakeFirstOrThrow();
  const serverBusyMs = wallS * 1000 * PANELS;
  const overheadMs = (serverBusyMs - Number(panelMs.ms)) / ACCOUNTS;
  console.log(
    `\nProvisioning: ${ACCOUNTS} accounts (user + web domain + DNS zone) on ${PANELS} sandbox panels, ${LATENCY_MS} ms panel latency`,
  );
  console.log(
    `  wall time            ${wallS.toFixed(1)} s   (${(ACCOUNTS / wallS).toFixed(1)} jobs/s; ${failed.length} not succeeded)`,
  );
  console.log(
    `  panel calls          ${panelMs.n} (${(Number(panelMs.n) / ACCOUNTS).toFixed(1)} per job), ${(Number(panelMs.ms) / 1000).toFixed(1)} s of panel time`,
  );
  console.log(`  engine overhead/job  ${overheadMs.toFixed(1)} ms beyond panel time (target ≤ 5 ms)`);
  console.log(
    `  engine CPU/job       ${((cpu.user + cpu.system) / 1000 / ACCOUNTS).toFixed(1)} ms (user ${(cpu.user / 1000 / ACCOUNTS).toFixed(1)}, system ${(cpu.system / 1000 / ACCOUNTS).toFixed(1)})`,
  );
} finally {
  for (const p of panels) p.child.kill('SIGTERM');
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
}
