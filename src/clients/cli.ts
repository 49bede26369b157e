import type { Command } from 'commander';
import { CliUsageError, passwordFrom } from '../cli/input.js';
import { withApp } from '../cli/with-app.js';
import { formatAmount, parseAmount } from '../platform/money.js';
import type { Actor, toClientView } from './admin.js';
import { CLIENT_STATUSES } from './statuses.js';

/** `portico clients …` (and the older `portico client create`): client accounts for the operator. */
const CLI_ACTOR: Actor = { type: 'cli', id: null };

interface CreateOptions {
  email: string;
  name: string;
  company?: string;
  currency: string;
  password?: string;
}

function addCreateCommand(parent: Command): void {
  parent
    .command('create')
    .description('Create a client (password from --password or standard input)')
    .requiredOption('--email <email>', 'login email')
    .requiredOption('--name <name>', 'full name')
    .option('--company <company>', 'company name')
    .option('--currency <code>', 'billing currency (ISO 4217)', 'USD')
    .option('--password <password>', 'password (prefer --password-stdin: arguments show in `ps`)')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (opts: CreateOptions) => {
      const password = await passwordFrom(opts);
      const { audit } = await import('../audit/audit.js');
      const { createClient } = await import('./clients.js');
      await withApp(async (app) => {
        const row = await createClient(
          { db: app.db.kysely, clock: app.clock },
          {
            email: opts.email,
            name: opts.name,
            company: opts.company ?? null,
            currency: opts.currency.toUpperCase(),
            password,
          },
        );
        await audit(app.db.kysely, app.clock.nowMs(), {
          actorType: 'cli',
          actorId: null,
          action: 'client.create',
          targetType: 'client',
          targetId: row.id,
          details: { email: row.email, currency: row.currency },
        });
        console.log(`Client ${row.email} created (${row.id}).`);
      });
    });
}

function money(minor: number, currency: string): string {
  return `${formatAmount(minor, currency)} ${currency}`;
}

function parseLimit(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new CliUsageError(`--limit must be 1 to 1000, not "${text}".`);
  return n;
}

function line(c: ReturnType<typeof toClientView>): string {
  return `${c.id}  ${c.status.padEnd(9)} ${c.email.padEnd(32)} ${c.name}  ${money(c.credit.amount_minor, c.credit.currency)}`;
}

export function registerClientCommands(program: Command): void {
  const client = program.command('client').description('Manage clients (see also `portico clients`)');
  addCreateCommand(client);

  const clients = program.command('clients').description('Clients: find, change, suspend, close; credit');
  addCreateCommand(clients);

  clients
    .command('list')
    .description('List clients, newest first')
    .option('--search <text>', 'part of the email or name (any case)')
    .option('--status <status>', `only clients in this status (${CLIENT_STATUSES.join('|')})`)
    .option('--limit <n>', 'how many (1–1000)', parseLimit, 50)
    .action(async (opts: { search?: string; status?: string; limit: number }) => {
      const status = opts.status as (typeof CLIENT_STATUSES)[number] | undefined;
      if (status !== undefined && !CLIENT_STATUSES.includes(status)) {
        throw new CliUsageError(`--status must be one of ${CLIENT_STATUSES.join(', ')}, not "${opts.status}".`);
      }
      const { pageClients } = await import('./admin.js');
      await withApp(async (app) => {
        const page = await pageClients(app, { q: opts.search, status, limit: opts.limit });
        if (page.items.length === 0) {
          console.log('No clients match.');
          return;
        }
        for (const c of page.items) console.log(line(c));
        if (page.next_cursor) console.log(`… more: raise --limit (showing ${opts.limit}).`);
      });
    });

  clients
    .command('show <client>')
    .description('A client (id or email): profile, status, balance, services and unpaid invoices')
    .action(async (idOrEmail: string) => {
      const { showClient } = await import('./admin.js');
      await withApp(async (app) => {
        const c = await showClient(app, idOrEmail);
        const rows: [string, string | null][] = [
          ['id', c.id],
          ['email', c.email],
          ['name', c.name],
          ['company', c.company],
          ['phone', c.phone],
          ['country', c.country],
          ['address', c.address?.replaceAll('\n', ', ') ?? null],
          ['tax id', c.tax_id],
          ['status', c.status],
          ['balance', money(c.credit.amount_minor, c.credit.currency)],
          [
            'services',
            `${c.services.total} (active ${c.services.active}, suspended ${c.services.suspended}, pending ${c.services.pending}, terminated ${c.services.terminated}, cancelled ${c.services.cancelled})`,
          ],
          ['unpaid invoices', String(c.unpaid_invoices)],
          ['created', c.created_at],
        ];
        for (const [label, value] of rows) console.log(`${label.padEnd(16)} ${value ?? '-'}`);
      });
    });

  clients
    .command('update <client>')
    .description('Change a client (id or email); an empty value clears an optional field')
    .option('--name <name>', 'full name')
    .option('--email <email>', 'login email (unused by another client)')
    .option('--company <company>', 'company name')
    .option('--phone <phone>', 'phone number')
    .option('--country <code>', 'ISO 3166-1 alpha-2 country, e.g. DE (decides the tax rate)')
    .option('--address <address>', 'postal address as printed on invoices (\\n for a new line)')
    .option('--tax-id <id>', 'VAT or other tax id')
    .action(
      async (
        idOrEmail: string,
        opts: {
          name?: string;
          email?: string;
          company?: string;
          phone?: string;
          country?: string;
          address?: string;
          taxId?: string;
        },
      ) => {
        const patch = {
          ...(opts.name !== undefined ? { name: opts.name } : {}),
          ...(opts.email !== undefined ? { email: opts.email } : {}),
          ...(opts.company !== undefined ? { company: opts.company } : {}),
          ...(opts.phone !== undefined ? { phone: opts.phone } : {}),
          ...(opts.country !== undefined ? { country: opts.country } : {}),
          ...(opts.address !== undefined ? { address: opts.address.replaceAll('\\n', '\n') } : {}),
          ...(opts.taxId !== undefined ? { tax_id: opts.taxId } : {}),
        };
        if (Object.keys(patch).length === 0) {
          throw new CliUsageError(
            'Nothing to change: pass at least one of --name, --email, --company, --phone, --country, --address, --tax-id.',
          );
        }
        const { updateClientProfile } = await import('./admin.js');
        await withApp(async (app) => {
          const c = await updateClientProfile(app, idOrEmail, patch, CLI_ACTOR);
          console.log(`Client ${c.email} updated (${c.id}).`);
        });
      },
    );

  clients
    .command('suspend <client>')
    .description('Suspend a client: no User API access until unsuspended (services keep running)')
    .option('--reason <text>', 'why (kept in the audit log)')
    .action(async (idOrEmail: string, opts: { reason?: string }) => {
      const { suspendClient } = await import('./admin.js');
      await withApp(async (app) => {
        const c = await suspendClient(app, idOrEmail, opts.reason, CLI_ACTOR);
        console.log(`Client ${c.email} suspended.`);
      });
    });

  clients
    .command('unsuspend <client>')
    .description('Let a suspended client use the User API again')
    .action(async (idOrEmail: string) => {
      const { unsuspendClient } = await import('./admin.js');
      await withApp(async (app) => {
        const c = await unsuspendClient(app, idOrEmail, CLI_ACTOR);
        console.log(`Client ${c.email} is active again.`);
      });
    });

  clients
    .command('close <client>')
    .description('Close a client for good (refused while it has active or suspended services)')
    .action(async (idOrEmail: string) => {
      const { closeClient } = await import('./admin.js');
      await withApp(async (app) => {
        const c = await closeClient(app, idOrEmail, CLI_ACTOR);
        console.log(`Client ${c.email} closed; its login sessions have ended.`);
      });
    });

  clients
    .command('credit <client>')
    .description('Add or remove credit, in the client’s currency (e.g. --add 10.00 --reason "Goodwill")')
    .option('--add <amount>', 'credit to add, e.g. 10.00')
    .option('--remove <amount>', 'credit to remove, e.g. 5.00 (at most the balance)')
    .requiredOption('--reason <text>', 'why (shown to the client in its ledger)')
    .action(async (idOrEmail: string, opts: { add?: string; remove?: string; reason: string }) => {
      if ((opts.add === undefined) === (opts.remove === undefined)) {
        throw new CliUsageError('Pass exactly one of --add <amount> or --remove <amount>.');
      }
      const text = (opts.add ?? opts.remove) as string;
      const { requireClient } = await import('./admin.js');
      const { adjustCredit } = await import('./credit.js');
      await withApp(async (app) => {
        const row = await requireClient(app, idOrEmail);
        const minor = parseAmount(text, row.currency);
        if (minor === null || minor <= 0) {
          throw new CliUsageError(
            `"${text}" is not a positive amount in ${row.currency}: write it like ${formatAmount(1050, row.currency)}.`,
          );
        }
        const result = await adjustCredit(
          app,
          row.id,
          { amountMinor: opts.add !== undefined ? minor : -minor, reason: opts.reason },
          CLI_ACTOR,
        );
        const verb = opts.add !== undefined ? 'Added' : 'Removed';
        console.log(
          `${verb} ${money(minor, row.currency)} for ${row.email}. Balance: ${money(result.balance.amount_minor, result.balance.currency)}.`,
        );
      });
    });

  clients
    .command('ledger <client>')
    .description('A client’s credit ledger, newest first, with the balance after each entry')
    .option('--limit <n>', 'how many entries (1–1000)', parseLimit, 50)
    .action(async (idOrEmail: string, opts: { limit: number }) => {
      const { requireClient } = await import('./admin.js');
      const { pageCredit, toAdminCreditEntry } = await import('./credit.js');
      await withApp(async (app) => {
        const row = await requireClient(app, idOrEmail);
        const page = await pageCredit(app, row.id, { limit: opts.limit }, toAdminCreditEntry);
        console.log(`Balance of ${row.email}: ${money(page.balance.amount_minor, page.balance.currency)}`);
        if (page.items.length === 0) console.log('No ledger entries.');
        for (const e of page.items) {
          const amount = `${e.amount_minor > 0 ? '+' : ''}${formatAmount(e.amount_minor, e.currency)}`;
          console.log(
            `${e.at}  ${amount.padStart(12)}  balance ${formatAmount(e.balance_after_minor, e.currency).padStart(10)} ${e.currency}  ${e.reason}${e.invoice_id ? `  (invoice ${e.invoice_id})` : ''}  [${e.actor_type}]`,
          );
        }
        if (page.next_cursor) console.log(`… older entries: raise --limit (showing ${opts.limit}).`);
      });
    });
}
