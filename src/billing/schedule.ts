import type { AppContext } from '../app-context.js';
import { chargeRenewals } from '../payments/stripe.js';
import { type BillingDeps, BillingRunInProgress, runBilling } from './run.js';

/**
 * The billing run inside `portico serve`: once at start, then every billing.run_every_minutes
 * (read again before each wait, so a changed setting applies from the next run). Several
 * instances may all schedule it: the run's lock lets one run at a time, the others skip.
 */
export function startBillingSchedule(deps: BillingDeps & Pick<AppContext, 'secrets' | 'config'>): {
  stop(): Promise<void>;
} {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      const report = await runBilling(deps, {});
      const did = Object.values(report.counts).some((n) => n > 0);
      deps.logger[did ? 'info' : 'debug'](
        { runId: report.runId, counts: report.counts, durationMs: report.durationMs },
        'billing run finished',
      );
    } catch (error) {
      if (error instanceof BillingRunInProgress)
        deps.logger.debug({ otherRunId: error.otherRunId }, 'billing run skipped: another is in progress');
      else deps.logger.error({ err: error }, 'billing run failed; the next run takes over its work');
    }
    try {
      // Saved cards are charged for the renewal invoices the run issued, and failed charges retried.
      const charged = await chargeRenewals(deps);
      if (charged.charged + charged.failed > 0) deps.logger.info(charged, 'renewal charges');
    } catch (error) {
      deps.logger.error({ err: error }, 'renewal charges failed; the next run tries again');
    }
  };
  const schedule = () => {
    if (stopped) return;
    const minutes = deps.settings.snapshot['billing.run_every_minutes'] ?? 60;
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, minutes * 60_000);
    timer.unref();
  };
  running = tick().finally(schedule);
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
