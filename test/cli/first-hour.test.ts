import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAdminCredentials } from '../../src/auth/store.js';
import { buildProgram } from '../../src/cli/program.js';
import { createAdminCommand } from '../../src/cli/serve.js';
import { describeDatabase, loadConfig } from '../../src/config.js';
import { verifyPassword } from '../../src/platform/crypto/password.js';
import { silentLogger } from '../../src/platform/log.js';
import { openApp } from '../../src/runtime.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, 'bin/portico.js');

function cliEnv(db: TestDatabase): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    PORTICO_DATA_DIR: db.dataDir,
    PORTICO_DEMO: 'off',
    LOG_LEVEL: 'warn',
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
  };
}

/** What an operator sees for the database a test database stands for. */
function opened(db: TestDatabase): string {
  return db.databaseUrl ? `PostgreSQL at ${db.databaseUrl}` : `SQLite at ${db.sqlitePath}`;
}

async function until(condition: () => boolean, what: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting; output so far:\n${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("a newcomer's first hour with the CLI", { timeout: 120_000 }, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    // Migrated, like a database a server has run on.
    expect((await runCli(db, ['migrate'])).code).toBe(0);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('portico --version prints the version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const res = await runCli(db, [flag]);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(res.stdout.trim()).toBe(version);
    }
  });

  it('every command and subcommand has a one-line description in --help', async () => {
    const missing: string[] = [];
    const multiline: string[] = [];
    const walk = (command: Command, path: string[]) => {
      for (const sub of command.commands) {
        const name = [...path, sub.name()].join(' ');
        if (!sub.description().trim()) missing.push(name);
        if (sub.description().includes('\n')) multiline.push(name);
        walk(sub, [...path, sub.name()]);
      }
    };
    const program = buildProgram();
    walk(program, []);
    expect(missing).toEqual([]);
    expect(multiline).toEqual([]);
    expect(program.commands.length).toBeGreaterThan(10);
    // And the help the operator reads shows them: a subcommand of a subcommand.
    const help = await runCli(db, ['routes', 'alias', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/add \[options\] <operationId> <path>\s+Add an alias/);
    expect(help.stdout).toMatch(/rm <path>\s+Remove an alias/);
  });

  it('a record not found names the database the command opened, so a wrong data directory shows', async () => {
    // The operator's shell points at another data directory than the server's.
    const other = await createTestDatabase();
    try {
      const res = await runCli(other, ['jobs', 'show', 'job_01M8TDR2ZM86HC78PMQ481W8SD']);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('portico: No job job_01M8TDR2ZM86HC78PMQ481W8SD.');
      expect(res.stderr).toContain(`Searched ${opened(other)}`);
      expect(res.stderr).toContain("run this command with the server's PORTICO_DATA_DIR or DATABASE_URL");
      expect(res.stderr).not.toMatch(/\n\s+at /);
      const server = await runCli(db, ['server', 'check', 'web9']);
      expect(server.code).toBe(1);
      expect(server.stderr).toContain(`portico: No server named web9.`);
      expect(server.stderr).toContain(`Searched ${opened(db)}`);
    } finally {
      await other.drop();
    }
  });

  it('names a PostgreSQL database by its URL without the password', async () => {
    expect(
      describeDatabase({ databaseUrl: 'postgres://portico:s3cret@db.internal:5432/billing', sqlitePath: '' }),
    ).toBe('PostgreSQL at postgres://portico@db.internal:5432/billing');
    expect(
      describeDatabase({
        databaseUrl: 'postgresql://db.internal/billing?password=s3cret&sslmode=require',
        sqlitePath: '',
      }),
    ).toBe('PostgreSQL at postgresql://db.internal/billing?sslmode=require');
    // A database that cannot be opened is named the same way, in one line.
    const refused = await runCli(db, ['jobs', 'list'], {
      env: { DATABASE_URL: 'postgres://portico:s3cret@127.0.0.1:1/billing' },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^portico: Cannot open PostgreSQL at postgres:\/\/portico@127\.0\.0\.1:1\/billing: connect ECONNREFUSED 127\.0\.0\.1:1\. Check DATABASE_URL/,
    );
    expect(refused.stderr).not.toContain('s3cret');
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    if (db.databaseUrl) {
      // Trust authentication ignores the password: the command opens the database and says which.
      const url = new URL(db.databaseUrl);
      url.password = 's3cret';
      const res = await runCli(db, ['jobs', 'show', 'job_01M8TDR2ZM86HC78PMQ481W8SD'], {
        env: { DATABASE_URL: url.href },
      });
      expect(res.stderr).toContain(`Searched PostgreSQL at ${db.databaseUrl}:`);
      expect(res.stderr).not.toContain('s3cret');
    }
  });

  it('output piped into a reader that stops early ends quietly, not with an EPIPE stack trace', async () => {
    const runs = [['routes', 'list'], ['settings', 'get'], ['--help']].map(async (args) => {
      const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(db), stdio: ['ignore', 'pipe', 'pipe'] });
      // The reader goes away before the command writes its first line, so every write meets a
      // closed pipe whatever the machine's speed.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const [code] = await once(child, 'close');
      return { args, code, stderr };
    });
    for (const run of await Promise.all(runs)) expect(run).toEqual({ args: run.args, code: 0, stderr: '' });
  });

  it('admin create --password-stdin at a terminal asks for the password twice without echoing it', async () => {
    const password = 'typed-at-the-terminal-42';
    const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
    // `script` gives the command a real terminal, as an operator pasting the banner's command has.
    const child = spawn(
      'script',
      [
        '-qec',
        `${quote(process.execPath)} ${quote(BIN)} admin create --email first@example.com --password-stdin`,
        '/dev/null',
      ],
      { env: cliEnv(db), stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let output = '';
    const collect = (d: Buffer) => {
      output += d;
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    await until(
      () => output.includes('Password: '),
      () => output,
    );
    child.stdin.write(`${password}\r`);
    await until(
      () => output.includes('Password again: '),
      () => output,
    );
    child.stdin.write(`${password}\r`);
    const [code] = child.exitCode === null ? await once(child, 'exit') : [child.exitCode];
    await until(
      () => output.includes('created') || output.includes('portico:'),
      () => output,
    );
    child.stdin.end();
    expect(output).toContain('Admin first@example.com created (adm_');
    expect(output).not.toContain(password);
    expect(code).toBe(0);
    // The password stored is the one typed.
    const app = await openApp(loadConfig(cliEnv(db)), { logger: silentLogger() });
    try {
      const admin = await findAdminCredentials(app.db.kysely, 'first@example.com');
      expect(await verifyPassword(password, admin?.password_hash ?? '')).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('the create-admin command in the banner reaches the server’s database', () => {
    const installDir = '/opt/portico';
    const command = 'npx portico admin create --email you@example.com --password-stdin';
    expect(createAdminCommand({ installDir, dataDir: '/opt/portico/data', databaseUrl: undefined })).toBe(command);
    expect(createAdminCommand({ installDir, dataDir: '/srv/portico data', databaseUrl: undefined })).toBe(
      `PORTICO_DATA_DIR='/srv/portico data' ${command}`,
    );
    expect(createAdminCommand({ installDir, dataDir: '/opt/portico/data', databaseUrl: 'postgres://u:p@h/db' })).toBe(
      `${command}   (with this server's DATABASE_URL set)`,
    );
  });
});
