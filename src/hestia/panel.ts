import type {
  AddDatabaseInput,
  CreateAccountInput,
  DomainKind,
  PanelAccount,
  PanelAdapter,
  PanelCallContext,
  PanelDatabase,
  PanelDomain,
  PanelError,
  PanelHealth,
  PanelPackage,
  PanelResult,
} from '../panel/adapter.js';
import { panelError } from './classify.js';
import type { HestiaClient } from './client.js';
import {
  ArgumentError,
  checkDatabaseName,
  checkEmail,
  checkPackage,
  checkPassword,
  checkUsername,
  normaliseDomain,
  panelDisplayName,
} from './validate.js';

/**
 * The panel adapter over HestiaCP. It maps each operation to its command and parses the answer;
 * it does not decide what an error means for the business (docs/hestia-protocol.md §5 — "already suspended"
 * is success for a suspend job): the provisioning engine applies that, using the predicates below.
 */
type Fields = Record<string, string>;

const num = (v: string | undefined): number => (v && /^\d+(\.\d+)?$/.test(v) ? Number(v) : 0);
const limit = (v: string | undefined): number | null => (v === undefined || v === 'unlimited' ? null : num(v));

export const isAlreadySuspended = (e: PanelError) => e.exitCode === 5;
export const isAlreadyGone = (e: PanelError) => e.exitCode === 3;
export const isExists = (e: PanelError) => e.exitCode === 4;

const DOMAIN_COMMANDS: Record<DomainKind, { add: string; del: string; list: string }> = {
  web: { add: 'v-add-web-domain', del: 'v-delete-web-domain', list: 'v-list-web-domains' },
  dns: { add: 'v-add-dns-domain', del: 'v-delete-dns-domain', list: 'v-list-dns-domains' },
  mail: { add: 'v-add-mail-domain', del: 'v-delete-mail-domain', list: 'v-list-mail-domains' },
};

export class HestiaPanel implements PanelAdapter {
  constructor(private readonly client: HestiaClient) {}

  /** Runs argument checks first: a refused argument never reaches the network. */
  private async run(ctx: PanelCallContext, check: () => void, cmd: string, args: string[]) {
    try {
      check();
    } catch (error) {
      if (error instanceof ArgumentError)
        return { ok: false as const, error: panelError('INVALID_ARGUMENT', error.message) };
      throw error;
    }
    return this.client.call(ctx, cmd, args);
  }

  private async mutate(
    ctx: PanelCallContext,
    check: () => void,
    cmd: string,
    args: string[],
  ): Promise<PanelResult<void>> {
    const result = await this.run(ctx, check, cmd, args);
    if (!result.ok) return result;
    return { ok: true, value: undefined, ...(result.warning ? { warning: result.warning } : {}) };
  }

  private async list<T>(
    ctx: PanelCallContext,
    check: () => void,
    cmd: string,
    args: string[],
    map: (json: Record<string, Fields>) => T,
  ): Promise<PanelResult<T>> {
    const result = await this.run(ctx, check, cmd, [...args, 'json']);
    if (!result.ok) return result;
    return { ok: true, value: map((result.value.json ?? {}) as Record<string, Fields>) };
  }

  private user(username: string) {
    return () => checkUsername(username, this.client.rootUser);
  }

  createAccount(ctx: PanelCallContext, input: CreateAccountInput) {
    const args = [input.username, input.password, input.email, input.packageName];
    // The whole name goes as NAME alone: the panel joins NAME and LASTNAME with a space, so
    // splitting it would store the same text, and a one-word name would need no LASTNAME.
    const name = panelDisplayName(input.name);
    if (name) args.push(name);
    return this.mutate(
      ctx,
      () => {
        checkUsername(input.username, this.client.rootUser);
        checkPassword(input.password);
        checkEmail(input.email);
        checkPackage(input.packageName);
      },
      'v-add-user',
      args,
    );
  }

  suspendAccount(ctx: PanelCallContext, username: string) {
    return this.mutate(ctx, this.user(username), 'v-suspend-user', [username]);
  }

  unsuspendAccount(ctx: PanelCallContext, username: string) {
    return this.mutate(ctx, this.user(username), 'v-unsuspend-user', [username]);
  }

  terminateAccount(ctx: PanelCallContext, username: string) {
    return this.mutate(ctx, this.user(username), 'v-delete-user', [username]);
  }

  changePackage(ctx: PanelCallContext, username: string, packageName: string) {
    return this.mutate(
      ctx,
      () => {
        checkUsername(username, this.client.rootUser);
        checkPackage(packageName);
      },
      'v-change-user-package',
      [username, packageName],
    );
  }

  changePassword(ctx: PanelCallContext, username: string, password: string) {
    return this.mutate(
      ctx,
      () => {
        checkUsername(username, this.client.rootUser);
        checkPassword(password);
      },
      'v-change-user-password',
      [username, password],
    );
  }

  readAccount(ctx: PanelCallContext, username: string): Promise<PanelResult<PanelAccount>> {
    return this.list(ctx, this.user(username), 'v-list-user', [username], (json) => {
      const f = json[username] ?? {};
      return {
        username,
        packageName: f.PACKAGE ?? '',
        email: f.CONTACT ?? '',
        suspended: f.SUSPENDED === 'yes',
        usage: {
          diskMb: num(f.U_DISK),
          diskQuotaMb: limit(f.DISK_QUOTA),
          bandwidthMb: num(f.U_BANDWIDTH),
          bandwidthLimitMb: limit(f.BANDWIDTH),
          webDomains: num(f.U_WEB_DOMAINS),
          webDomainsLimit: limit(f.WEB_DOMAINS),
          dnsDomains: num(f.U_DNS_DOMAINS),
          dnsDomainsLimit: limit(f.DNS_DOMAINS),
          mailDomains: num(f.U_MAIL_DOMAINS),
          mailDomainsLimit: limit(f.MAIL_DOMAINS),
          databases: num(f.U_DATABASES),
          databasesLimit: limit(f.DATABASES),
        },
      };
    });
  }

  listPackages(ctx: PanelCallContext): Promise<PanelResult<PanelPackage[]>> {
    return this.list(
      ctx,
      () => {},
      'v-list-user-packages',
      [],
      (json) =>
        Object.entries(json).map(([name, f]) => ({
          name,
          diskQuotaMb: limit(f.DISK_QUOTA),
          bandwidthMb: limit(f.BANDWIDTH),
          webDomains: limit(f.WEB_DOMAINS),
          dnsDomains: limit(f.DNS_DOMAINS),
          mailDomains: limit(f.MAIL_DOMAINS),
          databases: limit(f.DATABASES),
        })),
    );
  }

  listDomains(ctx: PanelCallContext, kind: DomainKind, username: string): Promise<PanelResult<PanelDomain[]>> {
    return this.list(ctx, this.user(username), DOMAIN_COMMANDS[kind].list, [username], (json) =>
      Object.entries(json).map(([domain, details]) => ({ domain, suspended: details.SUSPENDED === 'yes', details })),
    );
  }

  addDomain(ctx: PanelCallContext, kind: DomainKind, username: string, domain: string, options: { ip?: string } = {}) {
    let ascii = '';
    const args = () => {
      const a = [username, ascii];
      if (kind === 'dns') a.push(options.ip ?? '');
      return a;
    };
    return this.mutateLazy(
      ctx,
      () => {
        checkUsername(username, this.client.rootUser);
        ascii = normaliseDomain(domain);
        if (kind === 'dns' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(options.ip ?? '')) {
          throw new ArgumentError('a DNS zone needs the IPv4 address its records point to');
        }
      },
      DOMAIN_COMMANDS[kind].add,
      args,
    );
  }

  deleteDomain(ctx: PanelCallContext, kind: DomainKind, username: string, domain: string) {
    let ascii = '';
    return this.mutateLazy(
      ctx,
      () => {
        checkUsername(username, this.client.rootUser);
        ascii = normaliseDomain(domain);
      },
      DOMAIN_COMMANDS[kind].del,
      () => [username, ascii],
    );
  }

  listDatabases(ctx: PanelCallContext, username: string): Promise<PanelResult<PanelDatabase[]>> {
    return this.list(ctx, this.user(username), 'v-list-databases', [username], (json) =>
      Object.entries(json).map(([name, f]) => ({
        name,
        dbUser: f.DBUSER ?? '',
        type: f.TYPE ?? 'mysql',
        suspended: f.SUSPENDED === 'yes',
      })),
    );
  }

  addDatabase(ctx: PanelCallContext, username: string, input: AddDatabaseInput) {
    return this.mutate(
      ctx,
      () => {
        checkUsername(username, this.client.rootUser);
        checkDatabaseName('database', input.database);
        checkDatabaseName('database user', input.dbUser);
        checkPassword(input.password);
      },
      'v-add-database',
      [username, input.database, input.dbUser, input.password, input.type ?? 'mysql'],
    );
  }

  deleteDatabase(ctx: PanelCallContext, username: string, database: string) {
    return this.mutate(
      ctx,
      () => {
        checkUsername(username, this.client.rootUser);
        if (!/^[a-z0-9_]{1,63}$/i.test(database))
          throw new ArgumentError(`database "${database}" is not a database name`);
      },
      'v-delete-database',
      [username, database],
    );
  }

  async health(ctx: PanelCallContext): Promise<PanelHealth> {
    const started = performance.now();
    const result = await this.client.call(ctx, 'v-list-sys-info', ['json']);
    const latencyMs = Math.round(performance.now() - started);
    if (!result.ok) return { reachable: false, latencyMs, error: result.error };
    const info = (result.value.json as { sysinfo?: Fields } | undefined)?.sysinfo;
    return { reachable: true, latencyMs, ...(info?.HESTIA ? { version: info.HESTIA } : {}) };
  }

  /** Like mutate, for commands whose arguments are only known after the checks normalise them. */
  private async mutateLazy(
    ctx: PanelCallContext,
    check: () => void,
    cmd: string,
    args: () => string[],
  ): Promise<PanelResult<void>> {
    try {
      check();
    } catch (error) {
      if (error instanceof ArgumentError) return { ok: false, error: panelError('INVALID_ARGUMENT', error.message) };
      throw error;
    }
    return this.mutate(ctx, () => {}, cmd, args());
  }
}
