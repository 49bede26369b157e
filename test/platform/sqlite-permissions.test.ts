import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { type Db, migrateToLatest, openDatabase } from '../../src/platform/db/index.js';

const mode = (path: string) => statSync(path).mode & 0o777;
const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(async () => {
  while (dbs.length) await dbs.pop()?.close();
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-perm-'));
  dirs.push(dir);
  return dir;
}

async function openAndWrite(sqlitePath: string): Promise<void> {
  const db = openDatabase({ sqlitePath });
  dbs.push(db);
  await migrateToLatest(db);
  await sql`select 1`.execute(db.kysely);
}

describe('the SQLite database files', () => {
  it('are created readable by their owner only, -wal and -shm included', async () => {
    const path = join(tempDir(), 'data', 'portico.sqlite');
    await openAndWrite(path);
    expect(mode(path)).toBe(0o600);
    expect(mode(`${path}-wal`)).toBe(0o600);
    expect(mode(`${path}-shm`)).toBe(0o600);
  });

  it('of an existing install are tightened to 0600 when opened', async () => {
    const path = join(tempDir(), 'portico.sqlite');
    writeFileSync(path, '', { mode: 0o644 });
    writeFileSync(`${path}-wal`, '', { mode: 0o644 });
    await openAndWrite(path);
    expect(mode(path)).toBe(0o600);
    expect(mode(`${path}-wal`)).toBe(0o600);
    expect(mode(`${path}-shm`)).toBe(0o600);
  });
});
