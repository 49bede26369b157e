import { Worker } from '../../src/jobs/worker.js';
import { enqueueLifecycle, jobTypes, type LifecycleAction } from '../../src/provisioning/index.js';
import { type SandboxPanel, type SandboxPanelOptions, startSandboxPanel } from '../../src/sandbox/server.js';
import { addServer } from '../../src/servers/servers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newClient, newProduct, newService, type TestClient } from '../helpers/factories.js';

/** A Portico app, a sandbox panel registered as its server, and a worker with short waits. */
export interface ProvisioningHarness {
  t: TestApp;
  panel: SandboxPanel;
  worker: Worker;
  serverId: string;
  client: TestClient;
  productId: string;
  close(): Promise<void>;
}

export async function startProvisioning(
  options: { secret?: string; env?: Record<string, string>; sandbox?: SandboxPanelOptions } = {},
): Promise<ProvisioningHarness> {
  const t = await createTestApp(options.env ? { env: options.env } : {});
  const panel = await startSandboxPanel(options.sandbox);
  const server = await addServer(t.app, {
    name: `sandbox${Date.now().toString(36)}`,
    host: panel.host,
    port: panel.port,
    credentials: { kind: 'access_key', id: panel.accessKey.id, secret: options.secret ?? panel.accessKey.secret },
    tls: { mode: 'pin', sha256: panel.fingerprintSha256 },
  });
  const product = await newProduct(t.app);
  const client = await newClient(t.app);
  const worker = new Worker(t.app, jobTypes(), { pollMs: 20, backoffBaseMs: 20, leaseMs: 5000 });
  worker.start();
  return {
    t,
    panel,
    worker,
    serverId: server.id,
    client,
    productId: product.id,
    close: async () => {
      await worker.stop();
      await panel.close();
      await t.close();
    },
  };
}

export async function pendingService(
  h: ProvisioningHarness,
  domain = `site${Math.random().toString(36).slice(2, 8)}.example`,
) {
  const svc = await newService(h.t.app, {
    clientId: h.client.row.id,
    productId: h.productId,
    status: 'pending',
    domain,
  });
  return { id: svc.id, domain };
}

export async function enqueue(
  h: ProvisioningHarness,
  action: LifecycleAction,
  serviceId: string,
  productId?: string,
): Promise<string> {
  const db = h.t.app.db.kysely;
  const service = await db
    .selectFrom('services')
    .select(['server_id'])
    .where('id', '=', serviceId)
    .executeTakeFirstOrThrow();
  return db.transaction().execute((trx) =>
    enqueueLifecycle(trx, {
      action,
      serviceId,
      clientId: h.client.row.id,
      serverId: service.server_id,
      correlationId: `req_test_${action}_${serviceId.slice(-6)}`,
      actor: { type: 'system', id: null },
      ...(productId ? { productId } : {}),
      nowMs: Date.now(),
    }),
  );
}

/** Waits (bounded) until the job reaches a terminal state, or until `until` holds. */
export async function settle(
  h: ProvisioningHarness,
  jobId: string,
  until?: (state: string) => boolean,
  timeoutMs = 20_000,
) {
  const done = until ?? ((s: string) => ['succeeded', 'failed', 'cancelled'].includes(s));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await h.t.app.db.kysely
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    if (done(job.state) || Date.now() > deadline) return job;
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function service(h: ProvisioningHarness, id: string) {
  return h.t.app.db.kysely.selectFrom('services').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Queues the creation of a service's account, as a payment would (no server chosen yet). */
export function enqueueCreate(app: TestApp['app'], input: { serviceId: string; clientId: string; tag: string }) {
  return app.db.kysely.transaction().execute((trx) =>
    enqueueLifecycle(trx, {
      action: 'create',
      serviceId: input.serviceId,
      clientId: input.clientId,
      serverId: null,
      correlationId: `req_${input.tag}`,
      actor: { type: 'system', id: null },
      nowMs: Date.now(),
    }),
  );
}
