import { performance } from 'node:perf_hooks';
import type { AppContext } from '../../app-context.js';
import type { PanelResult } from '../../panel/adapter.js';
import { randomSecret } from '../../platform/crypto/tokens.js';
import { newId } from '../../platform/ids.js';
import { panelFor } from '../servers.js';
import type { ServerRow } from '../store.js';

/**
 * `portico acceptance`: prove a server end to end the way provisioning will use it — create a
 * throwaway user and a domain, read them back, and always clean up, even after a failure.
 */
export interface AcceptanceStep {
  step: string;
  ok: boolean;
  durationMs: number;
  detail: string;
}

type Deps = Pick<AppContext, 'db' | 'clock' | 'logger' | 'secrets'>;

function suffix(): string {
  return randomSecret(8)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 6)
    .padEnd(6, '0');
}

export async function runAcceptance(
  deps: Deps,
  row: ServerRow,
  options: { packageName?: string } = {},
): Promise<AcceptanceStep[]> {
  const ctx = { correlationId: newId('request') };
  const { client, panel } = panelFor(deps, row);
  const username = `ptacc${suffix()}`;
  const domain = `acceptance-${suffix()}.example`;
  const steps: AcceptanceStep[] = [];
  const step = async <T>(
    name: string,
    run: () => Promise<PanelResult<T>>,
    verify?: (value: T) => string | undefined,
  ) => {
    const started = performance.now();
    const result = await run();
    const durationMs = Math.round(performance.now() - started);
    const problem = result.ok ? verify?.(result.value) : `${result.error.code}: ${result.error.message}`;
    steps.push({ step: name, ok: !problem, durationMs, detail: problem ?? 'ok' });
    if (problem) throw new Error(problem);
    return result.ok ? result.value : (undefined as T);
  };
  let created = false;
  try {
    const packageName = options.packageName ?? 'default';
    await step(`v-add-user ${username} (package ${packageName})`, () =>
      panel.createAccount(ctx, {
        username,
        password: `Acc-${randomSecret(18)}`,
        email: `${username}@acceptance.example`,
        packageName,
      }),
    );
    created = true;
    await step(`v-add-web-domain ${domain}`, () => panel.addDomain(ctx, 'web', username, domain));
    const webDomains = await step(
      'v-list-web-domains',
      () => panel.listDomains(ctx, 'web', username),
      (list) => (list.some((d) => d.domain === domain) ? undefined : `${domain} is not listed`),
    );
    const ip = webDomains.find((d) => d.domain === domain)?.details.IP;
    await step(`v-add-dns-domain ${domain} ${ip ?? '?'}`, () =>
      panel.addDomain(ctx, 'dns', username, domain, ip ? { ip } : {}),
    );
    await step(
      'v-list-user',
      () => panel.readAccount(ctx, username),
      (a) =>
        a.packageName === packageName && !a.suspended
          ? undefined
          : `package ${a.packageName}, suspended ${a.suspended}`,
    );
    await step(
      'v-list-dns-domains',
      () => panel.listDomains(ctx, 'dns', username),
      (list) => (list.some((d) => d.domain === domain) ? undefined : `${domain} zone is not listed`),
    );
  } catch {
    // the failing step is recorded; clean-up below still runs
  } finally {
    if (created) {
      await step(`cleanup: v-delete-user ${username}`, () => panel.terminateAccount(ctx, username)).catch(
        () => undefined,
      );
    }
    await client.close();
  }
  return steps;
}
