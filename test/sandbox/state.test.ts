import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HestiaClient } from '../../src/hestia/client.js';
import { HestiaPanel } from '../../src/hestia/panel.js';
import { createLogger } from '../../src/platform/log.js';
import { startSandboxPanel } from '../../src/sandbox/server.js';
import { captureLogs } from '../helpers/logs.js';
import { ctx } from '../helpers/panel.js';

describe('sandbox panel state', () => {
  it('persists users, domains and keys to its state file and reloads them on restart', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'portico-sandbox-')), 'state.json');
    const first = await startSandboxPanel({ stateFile });
    const client = new HestiaClient({
      name: 'p',
      host: first.host,
      port: first.port,
      credentials: { kind: 'access_key', ...first.accessKey },
      tls: { mode: 'pin', sha256: first.fingerprintSha256 },
      logger: createLogger({ level: 'silent' }),
    });
    const panel = new HestiaPanel(client);
    await panel.createAccount(ctx, {
      username: 'keepme1',
      password: 'Keep-Me-Pa55',
      email: 'k@example.com',
      packageName: 'pro',
    });
    await panel.addDomain(ctx, 'web', 'keepme1', 'kept.example');
    await client.close();
    await first.close();
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).users.keepme1.web).toHaveProperty(['kept.example']);

    const second = await startSandboxPanel({ stateFile });
    try {
      expect(second.accessKey).toEqual(first.accessKey);
      expect(second.state.users.keepme1?.package).toBe('pro');
      expect(Object.keys(second.state.users.keepme1?.web ?? {})).toEqual(['kept.example']);
    } finally {
      await second.close();
    }
  });

  it('the client also speaks legacy mode (root password), with a warning to move to access keys', async () => {
    const sandbox = await startSandboxPanel();
    sandbox.state.switches.API = 'yes';
    const { logger, lines } = captureLogs('info');
    const rootPassword = sandbox.state.users.admin!.password;
    const client = new HestiaClient({
      name: 'legacy',
      host: sandbox.host,
      port: sandbox.port,
      credentials: { kind: 'root_password', user: 'admin', password: rootPassword },
      tls: { mode: 'pin', sha256: sandbox.fingerprintSha256 },
      logger,
    });
    try {
      const res = await client.call(ctx, 'v-list-sys-info', ['json']);
      expect(res.ok).toBe(true);
      expect(lines.join('')).toContain('legacy API credentials');
      expect(lines.join('')).not.toContain(rootPassword);
    } finally {
      await client.close();
      await sandbox.close();
    }
  });
});
