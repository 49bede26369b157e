import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * What the sandbox panel knows: users with their domains and databases, packages, access keys
 * and API profiles, and the panel's switches (docs/hestia-protocol.md §2). Kept in memory; optionally written
 * to a JSON file after every change (temp file + rename, so a crash never leaves half a file).
 */
export interface PackageLimits {
  WEB_DOMAINS: string;
  DNS_DOMAINS: string;
  MAIL_DOMAINS: string;
  DATABASES: string;
  DISK_QUOTA: string;
  BANDWIDTH: string;
}

export interface SandboxUser {
  password: string;
  email: string;
  package: string;
  name: string;
  suspended: boolean;
  role: 'admin' | 'user';
  web: Record<string, { ip: string; aliases: string }>;
  dns: Record<string, { ip: string }>;
  mail: Record<string, Record<string, never>>;
  databases: Record<string, { dbUser: string; type: string }>;
  /** The panel's per-user random key, renewed with each password change. */
  rkey?: string;
  createdAtMs: number;
}

export interface AccessKey {
  id: string;
  secret: string;
  /** The user the key belongs to; the root user's keys are admin keys. */
  user: string;
  /** Profile names; empty or ['*'] on an admin key = every command. */
  permissions: string[];
}

export interface PanelSwitches {
  API: 'yes' | 'no';
  API_SYSTEM: 0 | 1 | 2;
  /** Comma list of exact IPs, or `allow-all`; empty = nobody. */
  API_ALLOWED_IP: string;
  WEB_SYSTEM: string;
  DNS_SYSTEM: string;
  MAIL_SYSTEM: string;
  DB_SYSTEM: string;
}

/** The systems a panel may run, as `--services` names them, with the value each switch gets when on. */
export const SANDBOX_SERVICES = {
  web: { switch: 'WEB_SYSTEM', value: 'nginx' },
  dns: { switch: 'DNS_SYSTEM', value: 'bind9' },
  mail: { switch: 'MAIL_SYSTEM', value: 'exim4' },
  db: { switch: 'DB_SYSTEM', value: 'mysql' },
} as const;
export type SandboxService = keyof typeof SANDBOX_SERVICES;

/** Turns the systems on and off so that exactly `services` run (a panel installed without the others). */
export function applyServices(state: SandboxState, services: readonly SandboxService[]): void {
  for (const [name, { switch: key, value }] of Object.entries(SANDBOX_SERVICES)) {
    state.switches[key] = services.includes(name as SandboxService) ? state.switches[key] || value : '';
  }
}

/** Parses `web,dns,mail,db` (any subset, `none` for none); throws naming what is unknown. */
export function parseServices(list: string): SandboxService[] {
  const names = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '' && s !== 'none');
  const unknown = names.filter((n) => !(n in SANDBOX_SERVICES));
  if (unknown.length > 0) {
    throw new Error(
      `unknown service(s) ${unknown.join(', ')}: choose among ${Object.keys(SANDBOX_SERVICES).join(', ')}`,
    );
  }
  return names as SandboxService[];
}

export interface SandboxState {
  rootUser: string;
  /** The shared IP new web/DNS domains get. */
  ip: string;
  /** 32-character legacy API key with full admin rights, if enabled. */
  legacyHash: string | null;
  switches: PanelSwitches;
  packages: Record<string, PackageLimits>;
  profiles: Record<string, string[]>;
  keys: AccessKey[];
  users: Record<string, SandboxUser>;
  /** The panel's self-signed certificate and its key; made on the first start. */
  certificate?: { keyPem: string; certPem: string };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function randomString(length: number, alphabet = ALNUM): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

export function newAccessKey(user: string, permissions: string[] = []): AccessKey {
  return { id: randomString(20), secret: randomString(40, `${ALNUM}_=-`), user, permissions };
}

const limits = (web: string, dns: string, mail: string, db: string, disk: string, bw: string): PackageLimits => ({
  WEB_DOMAINS: web,
  DNS_DOMAINS: dns,
  MAIL_DOMAINS: mail,
  DATABASES: db,
  DISK_QUOTA: disk,
  BANDWIDTH: bw,
});

export const DEMO_PACKAGES: Record<string, PackageLimits> = {
  default: limits('1', '1', '1', '1', '1000', '10000'),
  system: limits('unlimited', 'unlimited', 'unlimited', 'unlimited', 'unlimited', 'unlimited'),
  starter: limits('1', '1', '1', '1', '2048', '20000'),
  pro: limits('5', '5', '5', '5', '10240', '100000'),
  business: limits('unlimited', 'unlimited', 'unlimited', '20', '51200', 'unlimited'),
};

export function initialState(
  options: { packages?: Record<string, PackageLimits>; rootUser?: string } = {},
): SandboxState {
  const rootUser = options.rootUser ?? 'admin';
  return {
    rootUser,
    ip: '203.0.113.10',
    legacyHash: null,
    switches: {
      API: 'no',
      API_SYSTEM: 1,
      API_ALLOWED_IP: 'allow-all',
      WEB_SYSTEM: 'nginx',
      DNS_SYSTEM: 'bind9',
      MAIL_SYSTEM: 'exim4',
      DB_SYSTEM: 'mysql',
    },
    packages: { ...(options.packages ?? DEMO_PACKAGES) },
    profiles: {},
    keys: [newAccessKey(rootUser, [])],
    users: {
      [rootUser]: {
        password: randomString(24),
        email: 'admin@sandbox.portico.local',
        package: 'system',
        name: 'System Administrator',
        suspended: false,
        role: 'admin',
        web: {},
        dns: {},
        mail: {},
        databases: {},
        createdAtMs: Date.now(),
      },
    },
  };
}

export function loadState(path: string | undefined, fallback: () => SandboxState): SandboxState {
  if (!path || !existsSync(path)) return fallback();
  return JSON.parse(readFileSync(path, 'utf8')) as SandboxState;
}

export function saveState(path: string | undefined, state: SandboxState): void {
  if (!path) return;
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(state, null, 2), { mode: 0o600 });
  renameSync(temp, path);
}
