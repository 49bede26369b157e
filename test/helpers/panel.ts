import { HestiaClient, type HestiaClientOptions } from '../../src/hestia/client.js';
import { HestiaPanel } from '../../src/hestia/panel.js';
import type { TlsTrust } from '../../src/hestia/tls.js';
import { type SandboxPanel, type SandboxPanelOptions, startSandboxPanel } from '../../src/sandbox/server.js';
import { captureLogs } from './logs.js';

/** A sandbox panel on a random loopback port, and a client pinned to its certificate. */
export interface PanelHarness {
  panel: SandboxPanel;
  client: HestiaClient;
  adapter: HestiaPanel;
  /** Every log line the client wrote, as JSON text. */
  logs: string[];
  close(): Promise<void>;
}

export async function startPanelHarness(
  options: { sandbox?: SandboxPanelOptions; tls?: TlsTrust; client?: Partial<HestiaClientOptions> } = {},
): Promise<PanelHarness> {
  const panel = await startSandboxPanel(options.sandbox ?? {});
  const { logger, lines: logs } = captureLogs();
  const client = new HestiaClient({
    name: 'sandbox-test',
    host: panel.host,
    port: panel.port,
    credentials: { kind: 'access_key', ...panel.accessKey },
    tls: options.tls ?? { mode: 'pin', sha256: panel.fingerprintSha256 },
    logger,
    ...options.client,
  });
  return {
    panel,
    client,
    adapter: new HestiaPanel(client),
    logs,
    close: async () => {
      await client.close();
      await panel.close();
    },
  };
}

export const ctx = { correlationId: 'req_TEST0000000000000000000000' };
