import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildServer } from '../app.js';
import { startBillingSchedule } from '../billing/schedule.js';
import { type Config, describeDatabase } from '../config.js';
import { DEMO_CLIENT, isEmptyInstall, seedDemo } from '../demo/seed.js';
import { Worker } from '../jobs/worker.js';
import { startEventWork } from '../mail/background.js';
import { jobTypes } from '../provisioning/index.js';
import { pruneLog } from '../requestlog/search.js';
import { openApp } from '../runtime.js';
import { startEmbeddedSandbox } from '../sandbox/embedded.js';
import { hasAdmin } from '../staff/staff.js';
import { userApiRoutes } from '../userapi/routes.js';

/** `portico admin create` as the operator types it to reach this server's database. */
export function createAdminCommand(config: Pick<Config, 'dataDir' | 'installDir' | 'databaseUrl'>): string {
  const command = 'npx portico admin create --email you@example.com --password-stdin';
  if (config.databaseUrl) return `${command}   (with this server's DATABASE_URL set)`;
  if (config.dataDir === join(config.installDir, 'data')) return command;
  const dir = /^[\w./-]+$/.test(config.dataDir) ? config.dataDir : `'${config.dataDir.replaceAll("'", "'\\''")}'`;
  return `PORTICO_DATA_DIR=${dir} ${command}`;
}

/** `portico serve`: the User API, its docs, health and metrics in one process. */
export async function serve(config: Config): Promise<void> {
  const app = await openApp(config);
  const log = app.logger;
  let demoSeeded = false;
  if (config.demo && (await isEmptyInstall(app))) {
    await seedDemo(app);
    demoSeeded = true;
    log.info({ email: DEMO_CLIENT.email }, 'empty install: seeded demo data (clearly marked [demo])');
  }
  // Refuse to start with an unusable signing key rather than fail every login later.
  await app.jwtKeys.load();
  await app.watcher.start();
  const sandbox = config.sandbox ? await startEmbeddedSandbox(app) : undefined;
  const worker = config.inProcessWorker ? new Worker(app, jobTypes()) : undefined;
  worker?.start();
  // Events and email go with the worker: PORTICO_WORKER=off leaves them to `portico worker`.
  const events = worker ? startEventWork(app) : undefined;
  const billing = config.inProcessBilling ? startBillingSchedule(app) : undefined;
  // Request-log retention: prune now and every hour.
  const prune = () => pruneLog(app).catch((err) => log.warn({ err }, 'request log retention cleanup failed'));
  await prune();
  const pruner = setInterval(prune, 3600_000);
  pruner.unref();
  const server = await buildServer(app, userApiRoutes);
  await server.listen({ port: config.port, host: config.host });
  const address = server.addresses()[0] as AddressInfo | undefined;
  const host = address?.family === 'IPv6' ? `[${address.address}]` : address?.address;
  const base = config.publicUrl ?? `http://${host}:${address?.port}`;
  const lines = [
    '',
    `Portico is running (${describeDatabase(config)}${app.redis ? ', Redis' : ''}).`,
    `  User API        ${base}/api/v1`,
    `  API docs        ${base}/api/docs`,
    `  OpenAPI         ${base}/api/v1/openapi.json`,
    `  Admin area      ${base}/admin`,
    `  Health          ${base}/healthz  ${base}/readyz`,
  ];
  lines.push(
    `  Worker          ${worker ? 'provisioning worker, events and email running in this process' : 'off here (run `portico worker`)'}`,
  );
  lines.push(
    `  Billing run     ${billing ? `every ${app.settings.snapshot['billing.run_every_minutes']} min in this process` : 'off here (PORTICO_BILLING=off; run `portico billing run`)'}`,
  );
  if (sandbox) {
    lines.push(`  Sandbox panel   ${sandbox.url}  (HestiaCP emulator, not a real panel; server "sandbox")`);
  }
  if (config.demo) {
    lines.push(
      '',
      `Demo client${demoSeeded ? ' (just created)' : ''}: ${DEMO_CLIENT.email} / ${DEMO_CLIENT.password}`,
      `  curl -u ${DEMO_CLIENT.email}:${DEMO_CLIENT.password} ${base}/api/v1/services`,
    );
  }
  if (!(await hasAdmin(app.db.kysely))) {
    lines.push('', 'No admin yet. Create one to log in to the admin area:', `  ${createAdminCommand(config)}`);
  }
  lines.push('', 'Stop with Ctrl+C.', '');
  process.stdout.write(lines.join('\n'));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => {
      log.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    // Connections that were busy when closing began go idle only once their response is sent;
    // close them as they do, instead of waiting for the keep-alive timeout.
    const reaper = setInterval(() => server.server.closeIdleConnections(), 100);
    await server.close();
    clearInterval(reaper);
    clearInterval(pruner);
    await billing?.stop();
    await worker?.stop();
    await events?.stop();
    await sandbox?.close();
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
