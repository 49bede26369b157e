import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { runBilling } from '../../src/billing/run.js';
import { ManualClock } from '../../src/platform/clock.js';
import { createTestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import { billingState, expectGapFree, seedDueServices } from './due-services.js';

const BIN = resolve(import.meta.dirname, '../../bin/portico.js');

/**
 * `portico billing run` killed (SIGKILL: no cleanup, no finally) after it has issued some of its
 * invoices: the run's lock and its 'running' row stay behind. Once the lease has run out, the next
 * run takes over, marks the killed one abandoned and finishes its work: every due service ends
 * with exactly one invoice for its period, none twice, numbers without gaps.
 */
describe('a billing run killed midway', () => {
  it('is finished by the next run: nothing missed, nothing twice, the killed run marked abandoned', async () => {
    const t = await createTestApp();
    const at = DateTime.utc(2027, 3, 10, 12);
    const due = DateTime.utc(2027, 3, 14).toMillis();
    const seeded = await seedDueServices(t.app, { clients: 300, perClient: 10, dueMs: due, creditEvery: 4 });
    const total = seeded.serviceIds.length;

    const child = spawn(process.execPath, [BIN, 'billing', 'run', '--at', '2027-03-10'], {
      env: {
        PATH: process.env.PATH ?? '',
        PORTICO_DATA_DIR: t.db.dataDir,
        PORTICO_DEMO: 'off',
        LOG_LEVEL: 'warn',
        ...(t.db.databaseUrl ? { DATABASE_URL: t.db.databaseUrl } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
    const countInvoices = async () =>
      Number(
        (
          await t.app.db.kysely
            .selectFrom('invoices')
            .select(({ fn }) => fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    let atKill = 0;
    await waitFor(
      async () => {
        atKill = await countInvoices();
        return atKill > 0;
      },
      { timeoutMs: 60_000, intervalMs: 5 },
    );
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const afterKill = await countInvoices();
    // Killed midway: some invoices exist, not all.
    expect(afterKill).toBeGreaterThan(0);
    expect(afterKill).toBeLessThan(total);

    // Straight away, the killed run's lease still holds: the operator is told, without a stack.
    const refused = await runCli(t.db, ['billing', 'run', '--at', '2027-03-10']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr + refused.stdout).toMatch(/another billing run is in progress/i);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(await countInvoices()).toBe(afterKill);

    // Once the lease has expired (the clock of the next run says so), the next run completes.
    const later = await createTestApp({ db: t.db, clock: new ManualClock(Date.now() + 60 * 60_000) });
    const report = await runBilling(later.app, { atMs: at.toMillis() });
    expect(report.counts.invoice).toBe(total - afterKill);
    await later.close();

    const s = await billingState(t.app);
    const perService = new Map<string, number>();
    for (const l of s.lines) perService.set(l.service_id ?? '', (perService.get(l.service_id ?? '') ?? 0) + 1);
    expect(perService.size).toBe(total);
    expect([...perService.values()].every((n) => n === 1)).toBe(true);
    expect(s.lines.every((l) => Number(l.period_start_ms) === due)).toBe(true);
    expect(s.invoices).toHaveLength(total);
    expect(expectGapFree(s.invoices.map((i) => i.number))).toEqual({ ok: true, detail: '' });
    // Every invoice belongs to a claimed period and the other way round.
    expect(new Set(s.periods.map((p) => p.invoice_id))).toEqual(new Set(s.invoices.map((i) => i.id)));
    // Credit was applied once per invoice, by whichever run issued it.
    const debits = s.ledger.filter((e) => Number(e.amount_minor) < 0).map((e) => e.invoice_id);
    expect(new Set(debits).size).toBe(debits.length);
    expect(debits).toHaveLength(seeded.creditClientIds.length * 10);
    for (const c of s.clients) {
      const sum = s.ledger.filter((e) => e.client_id === c.id).reduce((a, e) => a + Number(e.amount_minor), 0);
      expect(Number(c.credit_minor)).toBe(sum);
    }

    expect(s.runs.map((r) => r.status)).toEqual(['abandoned', 'done']);
    expect(report.abandonedRuns).toEqual([s.runs[0]!.id]);
  }, 400_000);
});
