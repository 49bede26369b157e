import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxPanel, startSandboxPanel } from '../../src/sandbox/server.js';
import { curlFor } from '../../src/servers/runbook/call.js';
import { addServer, type NewServer } from '../../src/servers/servers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

/**
 * `hestia call --print-curl` prints a command that checks the panel's certificate the way the
 * server is configured — and the printed command is run here with the real curl to prove it.
 */
describe('hestia call --print-curl checks the certificate as the server is configured', () => {
  let t: TestApp;
  let panel: SandboxPanel;
  let other: SandboxPanel;
  let dir: string;
  let counter = 0;
  beforeAll(async () => {
    t = await createTestApp();
    panel = await startSandboxPanel();
    other = await startSandboxPanel();
    dir = mkdtempSync(join(tmpdir(), 'portico-curl-'));
  });
  afterAll(async () => {
    await other?.close();
    await panel?.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const server = (overrides: Partial<NewServer>) =>
    addServer(t.app, {
      name: `curl${++counter}`,
      host: panel.host,
      port: panel.port,
      credentials: { kind: 'access_key', ...panel.accessKey },
      tls: { mode: 'pin', sha256: panel.fingerprintSha256 },
      ...overrides,
    });

  /** Runs the printed snippet with the redacted secret filled in, as an operator would. */
  function run(snippet: string, secret = panel.accessKey.secret) {
    const script = snippet.replace('secret_key=[REDACTED]', `secret_key=${secret}`);
    // Not spawnSync: the sandbox panel answering curl runs in this very process.
    return new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
      const child = spawn('bash', ['-c', script], { cwd: dir });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.stderr.on('data', (d) => {
        err += d;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out, err }));
    });
  }

  it('a pinned server: the pinned certificate as the only CA plus its public key, never -k; says what it checks', async () => {
    const row = await server({});
    const snippet = await curlFor(t.app, row, 'v-list-sys-info', ['json']);
    expect(snippet).not.toMatch(/\s-k\s/);
    expect(snippet).not.toContain(panel.accessKey.secret);
    expect(snippet).toContain(`--cacert '${row.name}-pinned.pem'`);
    expect(snippet).toMatch(/--pinnedpubkey 'sha256\/\/[A-Za-z0-9+/]{43}='/);
    expect(snippet).toContain('curl cannot pin a certificate fingerprint (--pinnedpubkey pins the public key)');
    expect(snippet).toContain(panel.fingerprintSha256);
    const ok = await run(snippet);
    expect(ok.err).toBe('');
    expect(ok.out).toMatch(/^HTTP\/1\.1 200/);
    expect(ok.out).toContain('"sysinfo"');
    // The same command against a panel with another certificate is refused by curl.
    const elsewhere = await run(snippet.replace(`:${panel.port}/api/`, `:${other.port}/api/`));
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.out).not.toContain('HTTP/');
  });

  it('prints nothing to trust when the panel presents a certificate other than the pinned one', async () => {
    const row = await server({ tls: { mode: 'pin', sha256: other.fingerprintSha256 } });
    await expect(curlFor(t.app, row, 'v-list-sys-info', ['json'])).rejects.toThrow(
      `The panel presents certificate ${panel.fingerprintSha256}, not the pinned ${other.fingerprintSha256}`,
    );
  });

  it('a certificate that does not name the host: --connect-to checks the name it does carry', async () => {
    const away = await startSandboxPanel({ host: '127.0.0.2' });
    try {
      const row = await server({
        host: away.host,
        port: away.port,
        credentials: { kind: 'access_key', ...away.accessKey },
        tls: { mode: 'pin', sha256: away.fingerprintSha256 },
      });
      const snippet = await curlFor(t.app, row, 'v-list-sys-info', ['json']);
      expect(snippet).toContain(`--connect-to 'localhost:${away.port}:127.0.0.2:${away.port}'`);
      expect(snippet).toContain(`'https://localhost:${away.port}/api/'`);
      const ok = await run(snippet, away.accessKey.secret);
      expect(ok.err).toBe('');
      expect(ok.out).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      await away.close();
    }
  });

  it('a server with a CA file: the snippet writes that CA and curl checks against it', async () => {
    const row = await server({ tls: { mode: 'ca', caPem: panel.certPem } });
    const snippet = await curlFor(t.app, row, 'v-list-sys-info', ['json']);
    expect(snippet).toContain(`--cacert '${row.name}-ca.pem'`);
    expect(snippet).not.toMatch(/\s-k\s/);
    expect((await run(snippet)).out).toMatch(/^HTTP\/1\.1 200/);
    const elsewhere = await run(snippet.replace(`:${panel.port}/api/`, `:${other.port}/api/`));
    expect(elsewhere.code).not.toBe(0);
  });

  it('only an insecure server gets -k, with a warning that nothing is verified', async () => {
    const row = await server({ tls: { mode: 'insecure' } });
    const snippet = await curlFor(t.app, row, 'v-list-sys-info', ['json']);
    expect(snippet).toMatch(/^# TLS: NOT VERIFIED \(-k\)/);
    expect(snippet).toContain('curl -sS -i -k ');
  });
});
