/**
 * The panel adapter: the only thing billing and provisioning code knows about a hosting panel.
 * HestiaCP (src/hestia) implements it over HTTPS; the sandbox panel (src/sandbox) is a HestiaCP
 * emulator reached through that same client, so there is exactly one implementation to trust.
 *
 * Every method returns a PanelResult instead of throwing for panel-side failures: at this
 * integration edge a failure is a value carrying the panel's exit code, so the caller decides
 * between retry, compensation and "already done" (docs/hestia-protocol.md §5).
 */

/** Per-call context: the correlation id follows a request or job into every panel-call log line. */
export interface PanelCallContext {
  correlationId: string;
}

/** HestiaCP exit-code names (docs/hestia-protocol.md §3), plus transport-level outcomes of our own. */
export type PanelErrorCode =
  | 'E_ARGS'
  | 'E_INVALID'
  | 'E_NOTEXIST'
  | 'E_EXISTS'
  | 'E_SUSPENDED'
  | 'E_UNSUSPENDED'
  | 'E_INUSE'
  | 'E_LIMIT'
  | 'E_PASSWORD'
  | 'E_FORBIDEN'
  | 'E_DISABLED'
  | 'E_PARSING'
  | 'E_DISK'
  | 'E_LA'
  | 'E_CONNECT'
  | 'E_FTP'
  | 'E_DB'
  | 'E_RRD'
  | 'E_UPDATE'
  | 'E_RESTART'
  | 'E_API_DISABLED'
  /** Connection refused/reset, DNS failure, TLS failure other than a pin/CA mismatch. */
  | 'TRANSPORT'
  /** No response within the timeout: the command may or may not have run (reconcile first). */
  | 'TIMEOUT'
  /** HTTP 5xx or an HTML error page instead of an API answer. */
  | 'SERVER_ERROR'
  /** The certificate did not match the configured CA or pinned fingerprint. */
  | 'TLS_UNTRUSTED'
  /** An argument was refused before any byte left the process (docs/hestia-protocol.md §4). */
  | 'INVALID_ARGUMENT'
  /** A response that fits no documented shape. */
  | 'BAD_RESPONSE';

export interface PanelError {
  code: PanelErrorCode;
  /** Numeric HestiaCP exit code when the panel gave one. */
  exitCode?: number;
  /** The panel's message (trimmed `Error: …` text) or our own explanation. Never holds a secret. */
  message: string;
  /** True when the same call may be retried with backoff (transport, timeouts, 5xx, 13/14/15/17/20). */
  retryable: boolean;
  /**
   * True for 9, 10, 21 and an 11 saying the API is off: stop calling this server and tell the
   * operator (fail2ban risk). False for an 11 from a command that needs a system the panel does
   * not run: that is a permanent failure of the step, not of the server.
   */
  authFailure: boolean;
  /** The panel system the command needs and the server does not run (`WEB_SYSTEM`, `DB_SYSTEM` …). */
  missingSystem?: string;
}

/**
 * Answers that mean "already so", which an idempotent step takes as done (a retry after a lost
 * answer): the account or domain already exists, is already gone, is already suspended.
 */
export const isExists = (e: PanelError) => e.code === 'E_EXISTS';
export const isAlreadyGone = (e: PanelError) => e.code === 'E_NOTEXIST';
export const isAlreadySuspended = (e: PanelError) => e.code === 'E_SUSPENDED';

export type PanelResult<T> = { ok: true; value: T; warning?: string } | { ok: false; error: PanelError };

export interface CreateAccountInput {
  username: string;
  password: string;
  email: string;
  packageName: string;
  /** Display name of the account owner; optional. */
  name?: string;
}

export interface PanelAccount {
  username: string;
  packageName: string;
  email: string;
  suspended: boolean;
  usage: PanelUsage;
}

export interface PanelUsage {
  diskMb: number;
  /** null = unlimited */
  diskQuotaMb: number | null;
  bandwidthMb: number;
  bandwidthLimitMb: number | null;
  webDomains: number;
  webDomainsLimit: number | null;
  dnsDomains: number;
  dnsDomainsLimit: number | null;
  mailDomains: number;
  mailDomainsLimit: number | null;
  databases: number;
  databasesLimit: number | null;
}

export interface PanelPackage {
  name: string;
  diskQuotaMb: number | null;
  bandwidthMb: number | null;
  webDomains: number | null;
  dnsDomains: number | null;
  mailDomains: number | null;
  databases: number | null;
}

export interface PanelDomain {
  domain: string;
  suspended: boolean;
  /** Command-specific fields as the panel returned them (all strings). */
  details: Record<string, string>;
}

export interface PanelDatabase {
  /** Full name on the panel, `<user>_<db>`. */
  name: string;
  dbUser: string;
  type: string;
  suspended: boolean;
}

export interface AddDatabaseInput {
  /** Short names; the panel prefixes them with `<user>_`. */
  database: string;
  dbUser: string;
  password: string;
  type?: 'mysql' | 'pgsql';
}

export interface PanelHealth {
  reachable: boolean;
  version?: string;
  latencyMs: number;
  error?: PanelError;
}

export type DomainKind = 'web' | 'dns' | 'mail';

export interface PanelAdapter {
  createAccount(ctx: PanelCallContext, input: CreateAccountInput): Promise<PanelResult<void>>;
  suspendAccount(ctx: PanelCallContext, username: string): Promise<PanelResult<void>>;
  unsuspendAccount(ctx: PanelCallContext, username: string): Promise<PanelResult<void>>;
  terminateAccount(ctx: PanelCallContext, username: string): Promise<PanelResult<void>>;
  changePackage(ctx: PanelCallContext, username: string, packageName: string): Promise<PanelResult<void>>;
  changePassword(ctx: PanelCallContext, username: string, password: string): Promise<PanelResult<void>>;
  readAccount(ctx: PanelCallContext, username: string): Promise<PanelResult<PanelAccount>>;
  listPackages(ctx: PanelCallContext): Promise<PanelResult<PanelPackage[]>>;
  listDomains(ctx: PanelCallContext, kind: DomainKind, username: string): Promise<PanelResult<PanelDomain[]>>;
  /** Adds a web domain, a DNS zone (`ip` required for DNS) or a mail domain. */
  addDomain(
    ctx: PanelCallContext,
    kind: DomainKind,
    username: string,
    domain: string,
    options?: { ip?: string },
  ): Promise<PanelResult<void>>;
  deleteDomain(ctx: PanelCallContext, kind: DomainKind, username: string, domain: string): Promise<PanelResult<void>>;
  listDatabases(ctx: PanelCallContext, username: string): Promise<PanelResult<PanelDatabase[]>>;
  addDatabase(ctx: PanelCallContext, username: string, input: AddDatabaseInput): Promise<PanelResult<void>>;
  deleteDatabase(ctx: PanelCallContext, username: string, database: string): Promise<PanelResult<void>>;
  health(ctx: PanelCallContext): Promise<PanelHealth>;
}
