import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * Every test app gets its own database (a temp SQLite file, or a fresh PostgreSQL database when
 * DATABASE_URL is set) and its own Redis key namespace, removed again on cleanup, so parallel
 * runs and reruns never collide.
 */
export interface TestDatabase {
  databaseUrl: string | undefined;
  sqlitePath: string;
  dataDir: string;
  redisUrl: string | undefined;
  redisNamespace: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const suffix = randomBytes(6).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-test-'));
  const baseUrl = process.env.DATABASE_URL;
  let databaseUrl: string | undefined;
  let dbName: string | undefined;
  if (baseUrl) {
    dbName = `portico_test_${suffix}`;
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const url = new URL(baseUrl);
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
  }
  const redisUrl = process.env.REDIS_URL || undefined;
  const redisNamespace = `portico-test-${suffix}`;
  return {
    databaseUrl,
    sqlitePath: join(dataDir, 'portico.sqlite'),
    dataDir,
    redisUrl,
    redisNamespace,
    drop: async () => {
      if (baseUrl && dbName) {
        const admin = new pg.Client({ connectionString: baseUrl });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await admin.end();
      }
      if (redisUrl) await deleteRedisNamespace(redisUrl, redisNamespace);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function deleteRedisNamespace(url: string, namespace: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
