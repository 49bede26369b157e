import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliUsageError, parseEnabled, readStdinLine } from '../cli/input.js';
import { withApp } from '../cli/with-app.js';
import type { PanelCredentials, TlsTrust } from './servers.js';

function parseTls(raw: string): TlsTrust {
  if (raw === 'system' || raw === 'insecure') return { mode: raw };
  if (raw.startsWith('pin:')) return { mode: 'pin', sha256: raw.slice(4) };
  if (raw.startsWith('ca:')) {
    try {
      return { mode: 'ca', caPem: readFileSync(raw.slice(3), 'utf8') };
    } catch (error) {
      throw new CliUsageError(`--tls ca:${raw.slice(3)}: cannot read the CA file (${(error as Error).message}).`);
    }
  }
  throw new CliUsageError('--tls must be system, ca:<file.pem>, pin:<sha256 fingerprint> or insecure.');
}

async function readKey(opts: { keyFile?: string }): Promise<string> {
  if (opts.keyFile) return readFileSync(opts.keyFile, 'utf8').trim();
  try {
    return (await readStdinLine()).trim();
  } catch {
    throw new CliUsageError(
      'Give the access key ID:SECRET on standard input or with --key-file (never as an argument: it would show in `ps`).',
    );
  }
}

/** `server update`: a key is read only when one is given (a file, or piped into standard input). */
async function readKeyIfGiven(opts: { keyFile?: string }): Promise<string | undefined> {
  if (opts.keyFile) return readKey(opts);
  if (process.stdin.isTTY) return undefined;
  const key = (await readStdinLine()).trim();
  return key === '' ? undefined : key;
}

function parseWhole(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new CliUsageError(`${flag} takes a whole number.`);
  return Number(raw);
}

function credentials(auth: string, key: string): PanelCredentials {
  if (auth === 'access_key') {
    const [id = '', secret = ''] = key.split(':');
    return { kind: 'access_key', id, secret };
  }
  if (auth === 'legacy_hash') return { kind: 'legacy_hash', hash: key };
  throw new CliUsageError('--auth must be access_key (recommended) or legacy_hash.');
}

/** Operator commands for HestiaCP servers: the runbook's steps, one command each. */
export function registerServerCommands(program: Command): void {
  const server = program.command('server').description('Manage the HestiaCP servers Portico provisions on');
  server
    .command('add')
    .description('Register a server (access key ID:SECRET from standard input or --key-file)')
    .requiredOption('--name <name>', 'short name, e.g. web1')
    .requiredOption('--host <host>', 'host name or IP of the panel')
    .option('--port <port>', 'panel port (BACKEND_PORT)', '8083')
    .option('--group <group>', 'server group products are placed in', 'default')
    .option('--capacity <n>', 'most accounts this server takes', '100')
    .option('--tls <trust>', 'system | ca:<file.pem> | pin:<sha256> | insecure (labs only)', 'system')
    .option('--root-user <user>', "the panel's admin user (ROOT_USER)", 'admin')
    .option('--auth <kind>', 'access_key | legacy_hash', 'access_key')
    .option('--key-file <file>', 'read the key from this file instead of standard input')
    .action(async (opts: Record<string, string>) => {
      const tls = parseTls(opts.tls ?? 'system');
      const key = await readKey(opts);
      const { addServer } = await import('./servers.js');
      await withApp(async (app) => {
        const row = await addServer(app, {
          name: opts.name ?? '',
          host: opts.host ?? '',
          port: Number(opts.port),
          credentials: credentials(opts.auth ?? 'access_key', key),
          tls,
          rootUser: opts.rootUser ?? 'admin',
          group: opts.group ?? 'default',
          capacity: Number(opts.capacity),
        });
        console.log(`Server ${row.name} added (${row.id}), group ${row.server_group}, TLS ${row.tls_mode}.`);
        console.log(`Next: portico server check ${row.name}`);
      });
    });
  server
    .command('update <name>')
    .description(
      'Change a server in place: a new key (standard input or --key-file), TLS, address, capacity, group, enabled',
    )
    .option('--key-file <file>', 'read the new key from this file (or pipe it into standard input)')
    .option('--auth <kind>', 'access_key | legacy_hash: the kind of the new key (default: the current kind)')
    .option('--tls <trust>', 'system | ca:<file.pem> | pin:<sha256> | insecure (labs only)')
    .option('--host <host>', 'host name or IP of the panel')
    .option('--port <port>', 'panel port (BACKEND_PORT)')
    .option('--root-user <user>', "the panel's admin user (ROOT_USER)")
    .option('--group <group>', 'server group products are placed in')
    .option('--capacity <n>', 'most accounts this server takes')
    .option('--enabled <bool>', 'true or false: whether new accounts are placed here')
    .action(async (name: string, opts: Record<string, string | undefined>) => {
      const tls = opts.tls === undefined ? undefined : parseTls(opts.tls);
      const key = await readKeyIfGiven(opts);
      const port = parseWhole(opts.port, '--port');
      const capacity = parseWhole(opts.capacity, '--capacity');
      const enabled = parseEnabled(opts.enabled);
      const { getServer } = await import('./servers.js');
      const { updateServerInPlace } = await import('./update.js');
      await withApp(async (app) => {
        const current = await getServer(app, name);
        const { row, access, resumed } = await updateServerInPlace(app, name, {
          ...(key !== undefined ? { credentials: credentials(opts.auth ?? current.auth_kind, key) } : {}),
          ...(tls ? { tls } : {}),
          ...(opts.host !== undefined ? { host: opts.host } : {}),
          ...(port !== undefined ? { port } : {}),
          ...(opts.rootUser !== undefined ? { rootUser: opts.rootUser } : {}),
          ...(opts.group !== undefined ? { group: opts.group } : {}),
          ...(capacity !== undefined ? { capacity } : {}),
          ...(enabled !== undefined ? { enabled } : {}),
        });
        console.log(
          `Server ${row.name} updated: ${row.host}:${row.port}, group ${row.server_group}, capacity ${row.capacity}, TLS ${row.tls_mode}, ${row.enabled ? 'enabled' : 'disabled'}${key !== undefined ? ', new key' : ''}.`,
        );
        if (access) console.log(`${access.ok ? 'PASS' : 'FAIL'}  ${access.check.padEnd(15)} ${access.detail}`);
        if (access?.fix) console.log(`      → ${access.fix}`);
        if (resumed)
          console.log(`Server ${row.name} resumed: the panel accepted the new settings, its queued jobs run again.`);
        else if (row.paused_reason) {
          console.log(
            `Server ${row.name} is still PAUSED (${row.paused_reason}): fix what the check says, then \`portico server update ${row.name}\` again or \`portico server resume ${row.name}\`.`,
          );
          process.exitCode = 1;
        } else if (access && !access.ok) {
          console.log(`Jobs on ${row.name} will pause it while the panel refuses these settings.`);
          process.exitCode = 1;
        }
      });
    });
  server
    .command('list')
    .description('List servers')
    .action(async () => {
      const { listServers } = await import('./servers.js');
      await withApp(async (app) => {
        const rows = await listServers(app);
        if (rows.length === 0) console.log('No servers yet. Add one with `portico server add`.');
        for (const r of rows) {
          const flags = [
            r.is_sandbox ? 'SANDBOX' : '',
            r.enabled ? '' : 'disabled',
            r.paused_reason ? `PAUSED: ${r.paused_reason}` : '',
          ].filter(Boolean);
          console.log(
            `${r.name.padEnd(16)} ${`${r.host}:${r.port}`.padEnd(28)} group=${r.server_group} capacity=${r.capacity} tls=${r.tls_mode} ${flags.join(' ')}`,
          );
        }
      });
    });
  server
    .command('rm <name>')
    .description('Remove a server (refused while it hosts services)')
    .action(async (name: string) => {
      const { removeServer } = await import('./servers.js');
      await withApp(async (app) => {
        await removeServer(app, name);
        console.log(`Server ${name} removed.`);
      });
    });
  server
    .command('check <name>')
    .description(
      'DNS, TCP, TLS, authentication, permissions, systems, version and packages — with what to do on failure',
    )
    .action(async (name: string) => {
      const { checkServer } = await import('./runbook/check.js');
      const { getServer } = await import('./servers.js');
      await withApp(async (app) => {
        const results = await checkServer(app, await getServer(app, name));
        for (const r of results) {
          console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.check.padEnd(15)} ${r.detail}`);
          if (r.fix) console.log(`      → ${r.fix.replaceAll('\n', '\n        ')}`);
        }
        const failed = results.filter((r) => !r.ok).length;
        console.log(failed ? `\n${failed} check(s) failed.` : `\nServer ${name} is ready for Portico.`);
        if (failed) process.exitCode = 1;
      });
    });
  server
    .command('resume <name>')
    .description('Resume a server whose queue was paused after the panel refused Portico’s credentials')
    .action(async (name: string) => {
      const [{ getServer, resumeServer }, { audit }] = await Promise.all([
        import('./servers.js'),
        import('../audit/audit.js'),
      ]);
      await withApp(async (app) => {
        const row = await resumeServer(app, await getServer(app, name));
        // As the Admin API's resume is: who lifted a pause is in the audit log either way.
        await audit(app.db.kysely, app.clock.nowMs(), {
          actorType: 'cli',
          actorId: null,
          action: 'server.resume',
          targetType: 'server',
          targetId: row.id,
        });
        console.log(`Server ${name} resumed: its queued jobs run again.`);
      });
    });
  server
    .command('pause <name>')
    .description('Hold a server’s jobs and new accounts for panel maintenance, until `server resume`')
    .requiredOption('--reason <text>', 'why, shown with the server (e.g. "Panel upgrade")')
    .action(async (name: string, opts: { reason: string }) => {
      if (!opts.reason.trim()) throw new CliUsageError('--reason must not be empty.');
      const [{ getServer, pauseServerByAdmin }, { audit }] = await Promise.all([
        import('./servers.js'),
        import('../audit/audit.js'),
      ]);
      await withApp(async (app) => {
        const row = await pauseServerByAdmin(app, await getServer(app, name), opts.reason);
        await audit(app.db.kysely, app.clock.nowMs(), {
          actorType: 'cli',
          actorId: null,
          action: 'server.pause',
          targetType: 'server',
          targetId: row.id,
          details: { reason: opts.reason },
        });
        console.log(`Server ${name} paused: its jobs wait until \`portico server resume ${name}\`.`);
      });
    });
  server
    .command('profile')
    .description('Print the HestiaCP API profile listing exactly the commands Portico uses')
    .action(async () => {
      const { apiProfileFile } = await import('./runbook/profile.js');
      process.stdout.write(apiProfileFile());
    });

  program
    .command('hestia')
    .description('Talk to a panel directly')
    .command('call <server> <cmd> [args...]')
    .description('One isolated call: status, exit code and body')
    .option(
      '--print-curl',
      'print the equivalent cURL command instead of calling: secrets redacted, the certificate checked as the server is configured',
    )
    .action(async (name: string, cmd: string, args: string[], opts: { printCurl?: boolean }) => {
      const { callPanel, curlFor } = await import('./runbook/call.js');
      const { getServer } = await import('./servers.js');
      await withApp(async (app) => {
        const row = await getServer(app, name);
        if (opts.printCurl) {
          console.log(await curlFor(app, row, cmd, args));
          return;
        }
        const report = await callPanel(app, row, cmd, args);
        console.log(
          `HTTP ${report.httpStatus ?? '-'}  exit ${report.exitCode ?? '-'} (${report.exitName})  ${report.durationMs} ms`,
        );
        if (report.body) console.log(report.body);
        if (!report.ok) process.exitCode = 1;
      });
    });

  program
    .command('acceptance <server>')
    .description('Create a throwaway user and domain, verify them, clean up; print timings')
    .option('--package <name>', 'package for the throwaway user', 'default')
    .action(async (name: string, opts: { package: string }) => {
      const { runAcceptance } = await import('./runbook/acceptance.js');
      const { getServer } = await import('./servers.js');
      await withApp(async (app) => {
        const steps = await runAcceptance(app, await getServer(app, name), { packageName: opts.package });
        for (const s of steps)
          console.log(
            `${s.ok ? 'PASS' : 'FAIL'}  ${String(s.durationMs).padStart(6)} ms  ${s.step}${s.ok ? '' : `: ${s.detail}`}`,
          );
        if (steps.some((s) => !s.ok)) process.exitCode = 1;
      });
    });
}
