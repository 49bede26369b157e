import type { Command } from 'commander';
import { CliUsageError } from '../cli/input.js';
import { withApp } from '../cli/with-app.js';
import type { MailState } from '../platform/db/schema.js';
import { MAIL_STATES } from './states.js';

const messages = () => import('./mail.js');

/** `portico mail …`: the messages Portico sent or keeps unsent, from the operator's shell. */
export function registerMailCommands(program: Command): void {
  const mail = program.command('mail').description('Email: list messages, show one, retry unsent or failed ones');
  mail
    .command('list')
    .description('List messages, newest first, with their state (unsent: no SMTP configured)')
    .option('--state <state>', `only this state (${MAIL_STATES.join(', ')})`)
    .option('--to <address>', 'only messages to this address')
    .option('--limit <n>', 'how many', '50')
    .action(async (opts: { state?: string; to?: string; limit: string }) => {
      if (opts.state && !MAIL_STATES.includes(opts.state as MailState)) {
        throw new CliUsageError(`--state must be one of ${MAIL_STATES.join(', ')}.`);
      }
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliUsageError('--limit must be 1 to 1000.');
      await withApp(async (app) => {
        const rows = await (await messages()).listMail(app, {
          state: opts.state as MailState | undefined,
          to: opts.to,
          limit,
        });
        if (rows.length === 0) {
          console.log('No messages.');
          return;
        }
        for (const m of rows) {
          console.log(
            [m.id, m.state.padEnd(7), `attempts ${m.attempts}`, m.to, m.template, m.subject].join('  ') +
              (m.last_error && m.state !== 'sent' ? `\n    ${m.last_error}` : ''),
          );
        }
      });
    });
  mail
    .command('show <id>')
    .description('Show a message: headers, delivery state and its text body (--html for the HTML body)')
    .option('--html', 'print the HTML body instead of the text')
    .action(async (id: string, opts: { html?: boolean }) => {
      await withApp(async (app) => {
        const m = await (await messages()).getMail(app, id);
        const lines = [
          `Message   ${m.id}`,
          `To        ${m.to}`,
          `Subject   ${m.subject}`,
          `Template  ${m.template}`,
          `State     ${m.state} (attempts ${m.attempts}${m.sent_at ? `, sent ${m.sent_at}` : ''})`,
        ];
        if (m.last_error) lines.push(`Error     ${m.last_error}`);
        if (m.attachments.length)
          lines.push(`Attached  ${m.attachments.map((a) => `${a.kind} ${a.invoice_id}`).join(', ')}`);
        lines.push('', opts.html ? m.html : m.text);
        console.log(lines.join('\n'));
      });
    });
  mail
    .command('retry <id>')
    .description('Queue an unsent or failed message again (the worker sends it)')
    .action(async (id: string) => {
      await withApp(async (app) => {
        const m = await (await messages()).retryMail(app, id);
        console.log(`Message ${m.id} to ${m.to} queued again.`);
      });
    });
}
