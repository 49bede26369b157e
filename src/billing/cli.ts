import type { Command } from 'commander';
import { CliUsageError } from '../cli/input.js';
import { withApp } from '../cli/with-app.js';
import type { BillingRunReport } from './run.js';

/** What a run did (or would do), a line per action and the totals. */
export function formatReport(report: BillingRunReport): string {
  const lines = [
    `${report.dryRun ? 'Dry run (nothing was changed)' : `Billing run ${report.runId}`} as of ${report.asOf}:`,
  ];
  for (const a of report.actions) {
    const extra = [a.invoice_id && a.invoice_id !== a.subject_id ? a.invoice_id : '', a.operation_id ?? '']
      .filter(Boolean)
      .join(' ');
    lines.push(`  ${a.action.padEnd(14)} ${a.subject_id}  ${a.cause}${extra ? `  ${extra}` : ''}`);
  }
  if (report.actionsTruncated) lines.push(`  … (the first ${report.actions.length} actions are listed)`);
  const totals = Object.entries(report.counts)
    .filter(([, n]) => n > 0)
    .map(([action, n]) => `${action} ${n}`);
  lines.push(
    `${report.dryRun ? 'Would do' : 'Done'}: ${totals.join(', ') || 'nothing to do'} (${report.durationMs} ms).`,
  );
  if (report.abandonedRuns.length) {
    lines.push(`Finished the work of crashed run(s): ${report.abandonedRuns.join(', ')} (marked abandoned).`);
  }
  return lines.join('\n');
}

/** `portico billing run` and `portico billing runs`. */
export function registerBillingCommands(program: Command): void {
  const billing = program.command('billing').description('The billing run: renewals, credit, overdue services');
  billing
    .command('run')
    .description('Run billing now: issue renewal invoices, apply credit, suspend and terminate overdue services')
    .option('--at <date>', 'the day it is, as an ISO date or time (default: now); the jobs it queues run now')
    .option('--dry-run', 'print what it would do and change nothing')
    .option('--lease-seconds <n>', 'how long the run lock outlives this run if it crashes (default 60)')
    .action(async (options: { at?: string; dryRun?: boolean; leaseSeconds?: string }) => {
      const [{ parseAt }, { runBilling }] = await Promise.all([import('./at.js'), import('./run.js')]);
      await withApp(async (app) => {
        const atMs = options.at ? parseAt(options.at, app.settings.snapshot['billing.time_zone']) : undefined;
        let leaseMs: number | undefined;
        if (options.leaseSeconds !== undefined) {
          const n = Number(options.leaseSeconds);
          if (!Number.isInteger(n) || n < 1 || n > 3600) {
            throw new CliUsageError(`--lease-seconds ${options.leaseSeconds} must be a whole number from 1 to 3600.`);
          }
          leaseMs = n * 1000;
        }
        const report = await runBilling(app, {
          ...(atMs !== undefined ? { atMs } : {}),
          ...(leaseMs !== undefined ? { leaseMs } : {}),
          dryRun: options.dryRun === true,
        });
        console.log(formatReport(report));
      });
    });
  billing
    .command('runs')
    .description('Recent billing runs, newest first')
    .option('--limit <n>', 'how many (default 20)', '20')
    .action(async (options: { limit: string }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
        throw new CliUsageError(`--limit ${options.limit} must be a whole number from 1 to 500.`);
      }
      const { listBillingRuns } = await import('./store.js');
      await withApp(async (app) => {
        const runs = await listBillingRuns(app.db.kysely, { limit });
        if (runs.length === 0) {
          console.log(
            'No billing run yet. Run one with `portico billing run` (or `--dry-run` to see what it would do).',
          );
          return;
        }
        for (const r of runs) {
          const took = r.finished_at_ms === null ? '' : ` ${Number(r.finished_at_ms) - Number(r.started_at_ms)} ms`;
          const counts = r.summary
            ? Object.entries(JSON.parse(r.summary) as Record<string, number>)
                .filter(([, n]) => n > 0)
                .map(([a, n]) => `${a} ${n}`)
                .join(', ')
            : '';
          console.log(
            `${r.id}  ${r.status.padEnd(9)} as of ${new Date(Number(r.as_of_ms)).toISOString()}  started ${new Date(Number(r.started_at_ms)).toISOString()}${took}  ${counts || '-'}${r.error ? `  error: ${r.error}` : ''}`,
          );
        }
      });
    });
}
