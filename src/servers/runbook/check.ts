import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { AppContext } from '../../app-context.js';
import { listGroupPanelProducts } from '../../catalog/store.js';
import { PANEL_SYSTEMS, type PanelSystem } from '../../hestia/codes.js';
import type { PanelError } from '../../panel/adapter.js';
import { newId } from '../../platform/ids.js';
import { panelFor } from '../servers.js';
import type { ServerRow } from '../store.js';
import { apiProfileFile, PORTICO_COMMANDS } from './profile.js';
import { type CheckResult, tcp, tlsCheck } from './transport.js';

export type { CheckResult } from './transport.js';

/**
 * `portico server check`: the careful operator's checklist as one command. Each check gives a
 * verdict and, when it fails, what to do. Permission checks call each command with no arguments
 * (the panel answers "Usage" without doing anything) and stop at the first refusal, because
 * every refusal counts toward the panel's fail2ban. A panel without a web, DNS, mail or database
 * system answers those probes with exit 11 naming the system: that is no refusal, it tells which
 * systems the panel runs, checked against what the products of the server's group need.
 */
type Deps = Pick<AppContext, 'db' | 'clock' | 'logger' | 'secrets'>;

function authFix(error: PanelError, name: string): string {
  if (/IP is not allowed/.test(error.message)) {
    return "Add Portico's IP address to API_ALLOWED_IP (Server settings → Security → Allowed IP addresses for API) and to the firewall's excludes.";
  }
  if (error.exitCode === 11) return 'Enable the API on the panel (Server settings → Security → API: enabled).';
  if (error.exitCode === 21)
    return 'Use an access key of the admin user, or set API_SYSTEM to 2 (all users) on the panel.';
  if (/permission/.test(error.message)) {
    return `Give the key an API profile listing the commands Portico uses. Install this file as /usr/local/hestia/data/api/portico and recreate the key with permission "portico":\n${apiProfileFile()}`;
  }
  return `Check the access key (ID:SECRET from v-add-access-key) and give the right one: \`printf %s "$ID:$SECRET" | portico server update ${name}\` (or --key-file).`;
}

/**
 * One authenticated read (v-list-user-packages) with the server's current settings: whether the
 * key, TLS trust and address work. One call only, because a refusal counts toward fail2ban.
 */
export async function checkAccess(deps: Deps, row: ServerRow): Promise<CheckResult> {
  const { client, panel } = panelFor(deps, row, { timeouts: { listMs: 15_000, mutationMs: 15_000 } });
  try {
    const packages = await panel.listPackages({ correlationId: newId('request') });
    if (packages.ok) return { check: 'authentication', ok: true, detail: `the key works (${row.auth_kind})` };
    return {
      check: 'authentication',
      ok: false,
      detail: packages.error.message,
      fix: packages.error.authFailure
        ? authFix(packages.error, row.name)
        : `Run \`portico server check ${row.name}\` for details.`,
    };
  } finally {
    await client.close();
  }
}

export async function checkServer(deps: Deps, row: ServerRow): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const ctx = { correlationId: newId('request') };
  try {
    const addresses = isIP(row.host) ? [row.host] : (await lookup(row.host, { all: true })).map((a) => a.address);
    results.push({ check: 'DNS', ok: true, detail: `${row.host} → ${addresses.join(', ')}` });
  } catch (error) {
    results.push({
      check: 'DNS',
      ok: false,
      detail: `${row.host} does not resolve (${(error as NodeJS.ErrnoException).code})`,
      fix: 'Fix the host name or its DNS record.',
    });
    return results;
  }
  try {
    const ms = await tcp(row.host, row.port, 5000);
    results.push({ check: 'TCP', ok: true, detail: `connected to port ${row.port} in ${ms} ms` });
  } catch (error) {
    results.push({
      check: 'TCP',
      ok: false,
      detail: `port ${row.port}: ${(error as Error).message}`,
      fix: `Open port ${row.port} on the panel's firewall for Portico's IP, and check the panel is running.`,
    });
    return results;
  }
  const tls = await tlsCheck(row);
  results.push(tls);
  if (!tls.ok) return results;
  const { client, panel } = panelFor(deps, row, { timeouts: { listMs: 15_000, mutationMs: 15_000 } });
  try {
    const packages = await panel.listPackages(ctx);
    if (!packages.ok) {
      results.push({
        check: 'authentication',
        ok: false,
        detail: packages.error.message,
        fix: authFix(packages.error, row.name),
      });
      return results;
    }
    results.push({ check: 'authentication', ok: true, detail: `the access key works (${row.auth_kind})` });
    const probed = await permissions(client, ctx, row.name);
    results.push(probed.result);
    if (probed.result.ok) results.push(await systemsCheck(deps, row, probed.missing));
    const health = await panel.health(ctx);
    results.push(
      health.reachable
        ? { check: 'panel version', ok: true, detail: `HestiaCP ${health.version ?? 'unknown'}` }
        : {
            check: 'panel version',
            ok: false,
            detail: health.error?.message ?? 'unknown',
            fix: "Add v-list-sys-info to the key's API profile.",
          },
    );
    results.push(
      await packagesCheck(
        deps,
        row,
        packages.value.map((p) => p.name),
      ),
    );
  } finally {
    await client.close();
  }
  return results;
}

async function permissions(
  client: ReturnType<typeof panelFor>['client'],
  ctx: { correlationId: string },
  name: string,
): Promise<{ result: CheckResult; missing: Set<PanelSystem> }> {
  const missing = new Set<PanelSystem>();
  for (const cmd of PORTICO_COMMANDS) {
    if (cmd === 'v-list-user-packages' || cmd === 'v-list-sys-info') continue; // checked by their own calls
    const result = await client.call(ctx, cmd, []);
    // Allowed commands answer "Usage" (exit 1) without doing anything; a refusal is exit 10. A
    // command whose system the panel lacks answers 11 before it looks at its arguments.
    if (!result.ok && result.error.missingSystem) missing.add(result.error.missingSystem as PanelSystem);
    else if (!result.ok && result.error.authFailure) {
      return {
        result: {
          check: 'permissions',
          ok: false,
          detail: `${cmd}: ${result.error.message} (stopped here: refusals count toward fail2ban)`,
          fix: authFix(result.error, name),
        },
        missing,
      };
    }
  }
  return {
    result: {
      check: 'permissions',
      ok: true,
      detail: `the key may run all ${PORTICO_COMMANDS.length} commands Portico uses`,
    },
    missing,
  };
}

/** What an account of a product needs on its panel: a DNS zone points at the website's IP. */
function systemsNeeded(features: { webDomain?: boolean; dnsZone?: boolean; mailDomain?: boolean }): PanelSystem[] {
  const needed = new Set<PanelSystem>();
  if (features.webDomain || features.dnsZone) needed.add('WEB_SYSTEM');
  if (features.dnsZone) needed.add('DNS_SYSTEM');
  if (features.mailDomain) needed.add('MAIL_SYSTEM');
  return [...needed];
}

async function systemsCheck(deps: Deps, row: ServerRow, missing: Set<PanelSystem>): Promise<CheckResult> {
  const all = Object.keys(PANEL_SYSTEMS) as PanelSystem[];
  const name = (s: PanelSystem) => `${PANEL_SYSTEMS[s]} (${s})`;
  const runs = all.filter((s) => !missing.has(s));
  const detail = `the panel runs ${runs.length ? runs.map(name).join(', ') : 'none of the web, DNS, mail and database systems'}${
    missing.size ? `; it does not run ${[...missing].map(name).join(', ')}` : ''
  }`;
  const products = await listGroupPanelProducts(deps.db.kysely, row.server_group);
  const blocked = products.flatMap((p) => {
    const lacking = systemsNeeded(JSON.parse(p.features) as Record<string, boolean>).filter((s) => missing.has(s));
    return lacking.length ? [`${p.name} (needs ${lacking.join(', ')})`] : [];
  });
  if (blocked.length === 0) return { check: 'systems', ok: true, detail };
  return {
    check: 'systems',
    ok: false,
    detail: `${detail}; products of group ${row.server_group} needing a system it lacks: ${blocked.join(', ')}`,
    fix: `Install the missing system(s) on the panel, or move these products to a server group whose panels run them: an order placed on this server fails and is rolled back.`,
  };
}

async function packagesCheck(deps: Deps, row: ServerRow, available: string[]): Promise<CheckResult> {
  const products = await listGroupPanelProducts(deps.db.kysely, row.server_group);
  const missing = products.filter((p) => !available.includes(p.panel_package));
  if (missing.length === 0) {
    return {
      check: 'packages',
      ok: true,
      detail: products.length
        ? `all ${products.length} products' packages exist`
        : `no products use group ${row.server_group} yet`,
    };
  }
  return {
    check: 'packages',
    ok: false,
    detail: `missing on the panel: ${missing.map((p) => `${p.panel_package} (product ${p.name})`).join(', ')}`,
    fix: `Create the package(s) on the panel (Packages → Add package) or change the products. The panel has: ${available.join(', ')}.`,
  };
}
