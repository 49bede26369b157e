import { join } from 'node:path';
import type { AppContext } from '../app-context.js';
import { addServer } from '../servers/servers.js';
import { findServerByName, updateServer } from '../servers/store.js';
import { type SandboxPanel, startSandboxPanel } from './server.js';

/**
 * The sandbox panel that `npm start` runs beside Portico, so a newcomer can order and watch an
 * account get provisioned without a real HestiaCP. It is registered as the server `sandbox`
 * (flagged is_sandbox everywhere), keeps its state (certificate included) under the data
 * directory, and gets a new port each start — the server row is updated to match.
 */
export const SANDBOX_SERVER_NAME = 'sandbox';

export async function startEmbeddedSandbox(app: AppContext): Promise<SandboxPanel> {
  const panel = await startSandboxPanel({
    port: 0,
    host: '127.0.0.1',
    stateFile: join(app.config.dataDir, 'sandbox-panel.json'),
  });
  const credentials = { kind: 'access_key' as const, ...panel.accessKey };
  const existing = await findServerByName(app.db.kysely, SANDBOX_SERVER_NAME);
  if (!existing) {
    await addServer(app, {
      name: SANDBOX_SERVER_NAME,
      host: panel.host,
      port: panel.port,
      credentials,
      tls: { mode: 'pin', sha256: panel.fingerprintSha256 },
      group: 'default',
      capacity: 1000,
      isSandbox: true,
    });
  } else if (existing.is_sandbox === 1) {
    await updateServer(app.db.kysely, existing.id, {
      host: panel.host,
      port: panel.port,
      tls_mode: 'pin',
      tls_value: panel.fingerprintSha256,
      credentials_sealed: app.secrets().seal(JSON.stringify(credentials)),
      updated_at_ms: app.clock.nowMs(),
    });
  } else {
    app.logger.warn('a real server is named "sandbox": the sandbox panel runs but is not registered');
  }
  app.logger.info({ url: panel.url }, 'sandbox panel (HestiaCP emulator) started');
  return panel;
}
