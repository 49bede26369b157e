import type { Command } from 'commander';
import { withApp } from '../cli/with-app.js';
import { loadConfig } from '../config.js';

/** The queue's admin functions, loaded when a command runs (src/cli/program.ts). */
const admin = () => import('./admin.js');

/** The provisioning queue from the shell: run workers, look at jobs and act on them. */
export function registerJobCommands(program: Command): void {
  program
    .command('worker')
    .description('Run provisioning workers in this process (as many processes as you like)')
    .option('--concurrency <n>', 'jobs at once', '4')
    .option(
      '--lease-ms <ms>',
      'how long a claimed job stays ours without renewal (a dead worker’s jobs return after this)',
      '30000',
    )
    .option('--poll-ms <ms>', 'how soon to look again after finding no work (doubling while idle, to 250 ms)', '250')
    .option(
      '--mail-lease-ms <ms>',
      'how long an email being sent stays ours (a dead worker’s message is sent again after this, with the same Message-ID)',
      '120000',
    )
    .action(async (opts: { concurrency: string; leaseMs: string; pollMs: string; mailLeaseMs: string }) => {
      const [{ openApp }, { Worker }, { jobTypes }, { startEventWork }] = await Promise.all([
        import('../runtime.js'),
        import('./worker.js'),
        import('../provisioning/index.js'),
        import('../mail/background.js'),
      ]);
      const app = await openApp(loadConfig());
      await app.watcher.start();
      const worker = new Worker(app, jobTypes(), {
        concurrency: Number(opts.concurrency),
        leaseMs: Number(opts.leaseMs),
        pollMs: Number(opts.pollMs),
      });
      worker.start();
      const events = startEventWork(app, { pollMs: Number(opts.pollMs), mailLeaseMs: Number(opts.mailLeaseMs) });
      app.logger.info({ owner: worker.owner }, 'worker started');
      const stop = async () => {
        app.logger.info('worker stopping: finishing jobs in hand');
        await worker.stop();
        await events.stop();
        await app.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });

  const jobs = program.command('jobs').description('The provisioning queue');
  jobs
    .command('list')
    .description('List jobs, newest first, with their state, attempts and last error')
    .option('--state <state>', 'queued | running | succeeded | failed | cancelled')
    .option('--limit <n>', 'how many', '50')
    .action(async (opts: { state?: string; limit: string }) => {
      const { listJobs } = await admin();
      await withApp(async (app) => {
        for (const j of await listJobs(app, {
          ...(opts.state ? { state: opts.state } : {}),
          limit: Number(opts.limit),
        })) {
          const error = j.last_error ? `  ${j.last_error.code}: ${j.last_error.message}` : '';
          const rollback = j.rollback ? `  rollback=${j.rollback.state}` : '';
          console.log(
            `${j.id}  ${j.state.padEnd(9)} ${j.type.padEnd(24)} ${j.service_id ?? '-'}  attempts=${j.attempts}${rollback}${error}`,
          );
          for (const left of j.left_behind) console.log(`    LEFT BEHIND: ${left}`);
        }
      });
    });
  jobs
    .command('show <id>')
    .description('A job with its steps and panel calls')
    .action(async (id: string) => {
      const { jobDetail } = await admin();
      await withApp(async (app) => {
        console.log(JSON.stringify(await jobDetail(app, id), null, 2));
      });
    });
  jobs
    .command('retry <id>')
    .description('Queue a failed job again (attempts start from zero)')
    .action(async (id: string) => {
      const { retryJob } = await admin();
      await withApp(async (app) => {
        await retryJob(app, id);
        console.log(`Job ${id} queued again.`);
      });
    });
  jobs
    .command('cancel <id>')
    .description('Cancel a queued job; says what its finished steps leave on the panel (nothing is undone)')
    .action(async (id: string) => {
      const [{ cancelJob }, { jobTypes }] = await Promise.all([admin(), import('../provisioning/index.js')]);
      await withApp(async (app) => {
        const { leftBehind } = await cancelJob(app, jobTypes(), id);
        console.log(`Job ${id} cancelled.`);
        if (leftBehind.length === 0) console.log('It leaves nothing behind on a panel.');
        for (const left of leftBehind) console.log(`Left behind: ${left}`);
      });
    });
}
