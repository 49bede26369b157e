import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { TestDatabase } from './databases.js';

const BIN = resolve(import.meta.dirname, '../../bin/portico.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `portico` command against a test database, as an operator would. */
export function runCli(
  db: TestDatabase,
  args: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
) {
  return new Promise<CliResult>((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        PORTICO_DATA_DIR: db.dataDir,
        PORTICO_DEMO: 'off',
        LOG_LEVEL: 'warn',
        ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}
