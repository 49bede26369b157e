import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Process configuration: everything that must be known before the database is open comes from the
 * environment. Everything an admin may change at run time lives in the settings table instead
 * (src/settings), so it can change without a restart and agree across instances.
 */
export interface Config {
  /** The directory Portico is installed in; relative key paths resolve against it. */
  installDir: string;
  dataDir: string;
  host: string;
  port: number;
  /** postgres://… for PostgreSQL; unset means SQLite under dataDir. */
  databaseUrl: string | undefined;
  sqlitePath: string;
  redisUrl: string | undefined;
  /** Prefix of every Redis key (PORTICO_REDIS_PREFIX): several installs can share one Redis. */
  redisPrefix: string;
  /** Seed demo data into an empty embedded install. */
  demo: boolean;
  /** Run the sandbox panel (HestiaCP emulator) beside Portico, registered as server `sandbox`. */
  sandbox: boolean;
  logLevel: string;
  /** Master key for secrets at rest (base64, 32 bytes), or a file holding it. */
  masterKey: string | undefined;
  masterKeyFile: string | undefined;
  /** Run the provisioning worker inside `serve`. */
  inProcessWorker: boolean;
  /** Run the billing run inside `serve` every billing.run_every_minutes (PORTICO_BILLING). */
  inProcessBilling: boolean;
  /** Public base URL used in printed links and the OpenAPI `servers` entry. */
  publicUrl: string | undefined;
  /** Where the Stripe SDK sends its requests instead of api.stripe.com (PORTICO_STRIPE_API_BASE, e.g. http://127.0.0.1:12111; tests). */
  stripeApiBase: URL | undefined;
  /** How long a panel mutation may take before it counts as timed out (docs/hestia-protocol.md §1: 120 s). */
  panelMutationTimeoutMs: number;
  /** The whole request (headers and body) must arrive within this, or it is answered 408 and closed. */
  requestTimeoutMs: number;
  /** The request line and headers must arrive within this (at most requestTimeoutMs). */
  headersTimeoutMs: number;
  /** Connections `portico serve` holds open at once; further ones are closed as they arrive. */
  maxConnections: number;
  /** When set, `/metrics` answers only `Authorization: Bearer <this>`. */
  metricsToken: string | undefined;
  /**
   * PostgreSQL: the longest a cached hot read may outlive a write whose notification was lost
   * (PORTICO_CACHE_MAX_STALE_MS, 5 s; 0 turns the cache off).
   */
  cacheMaxStaleMs: number;
}

export const INSTALL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The installed version, as package.json says. */
export function porticoVersion(): string {
  return (JSON.parse(readFileSync(join(INSTALL_DIR, 'package.json'), 'utf8')) as { version: string }).version;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parsePort(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, got "${raw}".`);
  }
  return port;
}

function parseFlag(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'on', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'off', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be on or off, got "${raw}".`);
}

function parsePositiveMs(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 100)
    throw new ConfigError(`${name} must be a whole number of milliseconds (at least 100), got "${raw}".`);
  return ms;
}

function parseRedisPrefix(raw: string | undefined): string {
  if (raw === undefined || raw === '') return 'portico';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(raw))
    throw new ConfigError(`PORTICO_REDIS_PREFIX must be 1–64 letters, digits, '.', '_' or '-', got "${raw}".`);
  return raw;
}

function parseCount(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 1)
    throw new ConfigError(`${name} must be a whole number (at least 1), got "${raw}".`);
  return count;
}

function parseMetricsToken(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^[A-Za-z0-9._~+/=-]{16,}$/.test(raw)) {
    throw new ConfigError(
      'PORTICO_METRICS_TOKEN must be at least 16 characters of letters, digits and ._~+/=- (e.g. openssl rand -hex 24).',
    );
  }
  return raw;
}

function parseTimeouts(env: NodeJS.ProcessEnv): Pick<Config, 'requestTimeoutMs' | 'headersTimeoutMs'> {
  const requestTimeoutMs = parsePositiveMs('PORTICO_REQUEST_TIMEOUT_MS', env.PORTICO_REQUEST_TIMEOUT_MS, 30_000);
  const headersTimeoutMs = parsePositiveMs(
    'PORTICO_HEADERS_TIMEOUT_MS',
    env.PORTICO_HEADERS_TIMEOUT_MS,
    Math.min(10_000, requestTimeoutMs),
  );
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(
      `PORTICO_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not be longer than PORTICO_REQUEST_TIMEOUT_MS (${requestTimeoutMs}): the headers are part of the request.`,
    );
  }
  return { requestTimeoutMs, headersTimeoutMs };
}

function parseStripeApiBase(raw: string | undefined): URL | undefined {
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // fall through to the error below
  }
  throw new Error(`PORTICO_STRIPE_API_BASE must be an http(s) URL such as http://127.0.0.1:12111 (got "${raw}").`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const installDir = env.PORTICO_INSTALL_DIR ? resolve(env.PORTICO_INSTALL_DIR) : INSTALL_DIR;
  const dataDir = env.PORTICO_DATA_DIR ? resolve(env.PORTICO_DATA_DIR) : join(installDir, 'data');
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(
      'DATABASE_URL must be a postgres:// URL; leave it unset to use SQLite under the data directory.',
    );
  }
  return {
    installDir,
    dataDir,
    host: env.HOST || '127.0.0.1',
    port: parsePort(env.PORT, 8080),
    databaseUrl,
    sqlitePath: join(dataDir, 'portico.sqlite'),
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: parseRedisPrefix(env.PORTICO_REDIS_PREFIX),
    demo: parseFlag('PORTICO_DEMO', env.PORTICO_DEMO, !databaseUrl),
    sandbox: parseFlag('PORTICO_SANDBOX', env.PORTICO_SANDBOX, !databaseUrl),
    logLevel: env.LOG_LEVEL || 'info',
    masterKey: env.PORTICO_MASTER_KEY || undefined,
    masterKeyFile: env.PORTICO_MASTER_KEY_FILE || undefined,
    inProcessWorker: parseFlag('PORTICO_WORKER', env.PORTICO_WORKER, true),
    inProcessBilling: parseFlag('PORTICO_BILLING', env.PORTICO_BILLING, true),
    publicUrl: env.PORTICO_PUBLIC_URL || undefined,
    stripeApiBase: parseStripeApiBase(env.PORTICO_STRIPE_API_BASE),
    panelMutationTimeoutMs: parsePositiveMs(
      'PORTICO_PANEL_MUTATION_TIMEOUT_MS',
      env.PORTICO_PANEL_MUTATION_TIMEOUT_MS,
      120_000,
    ),
    ...parseTimeouts(env),
    maxConnections: parseCount('PORTICO_MAX_CONNECTIONS', env.PORTICO_MAX_CONNECTIONS, 1024),
    metricsToken: parseMetricsToken(env.PORTICO_METRICS_TOKEN),
    cacheMaxStaleMs:
      env.PORTICO_CACHE_MAX_STALE_MS === '0'
        ? 0
        : parsePositiveMs('PORTICO_CACHE_MAX_STALE_MS', env.PORTICO_CACHE_MAX_STALE_MS, 5_000),
  };
}

/**
 * Which database a configuration opens, for people: "SQLite at /srv/portico/data/portico.sqlite" or
 * "PostgreSQL at postgres://portico@db:5432/portico" (never the password).
 */
export function describeDatabase(config: Pick<Config, 'databaseUrl' | 'sqlitePath'>): string {
  if (!config.databaseUrl) return `SQLite at ${config.sqlitePath}`;
  try {
    const url = new URL(config.databaseUrl);
    url.password = '';
    url.searchParams.delete('password');
    return `PostgreSQL at ${url.href}`;
  } catch {
    return 'PostgreSQL (DATABASE_URL)';
  }
}

/** Resolves a configured path: absolute stays, relative is taken from the install directory. */
export function resolveInstallPath(config: Pick<Config, 'installDir'>, path: string): string {
  return isAbsolute(path) ? path : resolve(config.installDir, path);
}
