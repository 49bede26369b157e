import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CLIENT } from '../../src/demo/seed.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

const BIN = resolve(import.meta.dirname, '../../bin/portico.js');
const demoAuth = `Basic ${Buffer.from(`${DEMO_CLIENT.email}:${DEMO_CLIENT.password}`).toString('base64')}`;

interface Running {
  child: ChildProcess;
  base: string;
  output: () => string;
}

async function startServe(db: TestDatabase, env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { PATH: process.env.PATH ?? '', PORTICO_DATA_DIR: db.dataDir, PORT: '0', PORTICO_WORKER: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const deadline = Date.now() + 30_000;
  while (!/User API\s+(http:\S+)\/api\/v1/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const base = /User API\s+(http:\S+)\/api\/v1/.exec(output)![1]!;
  return { child, base, output: () => output };
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('portico serve', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()?.();
  });

  it('on an empty embedded install seeds marked demo data and prints how to log in', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const run = await startServe(db, { PORTICO_DEMO: 'on' });
    cleanups.push(async () => {
      run.child.kill('SIGKILL');
    });
    expect(run.output()).toContain(`Demo client (just created): ${DEMO_CLIENT.email} / ${DEMO_CLIENT.password}`);
    expect(run.output()).toContain('/api/docs');
    const res = await fetch(`${run.base}/api/v1/services`, { headers: { authorization: demoAuth } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { domain: string }[] };
    expect(body.items.length).toBeGreaterThan(0);
    expect((await fetch(`${run.base}/readyz`)).status).toBe(200);
  });

  it('with PORTICO_DEMO=off seeds nothing', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const run = await startServe(db, { PORTICO_DEMO: 'off' });
    cleanups.push(async () => {
      run.child.kill('SIGKILL');
    });
    expect(run.output()).not.toContain('Demo client');
    const res = await fetch(`${run.base}/api/v1/categories`);
    expect(((await res.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('shows the admin area, and how to create the first admin only while there is none', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const first = await startServe(db, { PORTICO_DEMO: 'off' });
    cleanups.push(async () => {
      first.child.kill('SIGKILL');
    });
    await until(() => first.output().includes('Stop with Ctrl+C.'));
    expect(first.output()).toContain(`  Admin area      ${first.base}/admin\n`);
    expect((await fetch(`${first.base}/admin`)).status).toBe(200);
    expect(first.output()).toContain('No admin yet. Create one to log in to the admin area:');
    // The command shown reaches this server's data directory: run it as printed.
    const shown = /^ {2}PORTICO_DATA_DIR=(\S+) npx portico (admin create .*)$/m.exec(first.output());
    expect(shown?.[1]).toBe(db.dataDir);
    expect(shown?.[2]).toBe('admin create --email you@example.com --password-stdin');
    const created = await runCli(db, shown![2]!.split(' '), {
      // As printed, in a shell with nothing else set: the server here runs on SQLite even when the
      // suite runs against PostgreSQL.
      env: { PORTICO_DATA_DIR: shown![1]!, DATABASE_URL: '' },
      stdin: 'the-first-admin-password\n',
    });
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain('Admin you@example.com created');
    first.child.kill('SIGKILL');
    if (first.child.exitCode === null && first.child.signalCode === null) await once(first.child, 'exit');

    const second = await startServe(db, { PORTICO_DEMO: 'off' });
    cleanups.push(async () => {
      second.child.kill('SIGKILL');
    });
    await until(() => second.output().includes('Stop with Ctrl+C.'));
    expect(second.output()).toContain(`  Admin area      ${second.base}/admin\n`);
    expect(second.output()).not.toContain('No admin yet');
    expect(second.output()).not.toContain('admin create');
  }, 180_000);

  it('finishes requests in flight on SIGTERM, then exits 0', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const run = await startServe(db, { PORTICO_DEMO: 'on' });
    const { hostname, port } = new URL(run.base);
    const body = JSON.stringify({ email: DEMO_CLIENT.email, password: DEMO_CLIENT.password });
    // Five logins whose bodies are only half sent: the server has them (accepted, headers read)
    // and is waiting for the rest when SIGTERM lands, so they are in flight however slow the
    // machine is. The rest of each body follows the signal.
    const sockets = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const socket = connect(Number(port), hostname);
        await once(socket, 'connect');
        socket.write(
          `POST /api/v1/auth/login HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
        );
        let response = '';
        socket.on('data', (chunk) => {
          response += chunk;
        });
        return { socket, response: () => response };
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    for (const { socket } of sockets) socket.write(body.slice(10));
    await Promise.all(sockets.map(({ socket }) => once(socket, 'close')));
    expect(sockets.map(({ response }) => response().split('\r\n')[0])).toEqual(
      Array.from({ length: 5 }, () => 'HTTP/1.1 200 OK'),
    );
    const [code] = run.child.exitCode === null ? await once(run.child, 'exit') : [run.child.exitCode];
    expect(code).toBe(0);
    expect(run.output()).toContain('shutting down: finishing requests in flight');
  });
});
