import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { runBilling } from '../src/billing/run.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/platform/log.js';
import { openApp } from '../src/runtime.js';

/**
 * One billing run in a process of its own (bench/billing.ts starts it), so the peak RSS it
 * reports is the run's and not the seeding's. Prints one JSON line on stdout.
 *
 * Environment: PORTICO_DATA_DIR, DATABASE_URL (optional), BENCH_BILLING_AT_MS, and
 * BENCH_BILLING_PROFILE_FILE to write a CPU profile of the run alone (not the process's start).
 */
const profileFile = process.env.BENCH_BILLING_PROFILE_FILE;
const atMs = Number(process.env.BENCH_BILLING_AT_MS);
const app = await openApp(
  loadConfig({
    PORTICO_DATA_DIR: process.env.PORTICO_DATA_DIR ?? '',
    PORTICO_DEMO: 'off',
    PORTICO_WORKER: 'off',
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  }),
  { logger: silentLogger() },
);
try {
  const rssBeforeKb = Math.round(process.memoryUsage().rss / 1024);
  const session = profileFile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const report = await runBilling(app, { atMs });
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  if (session && profileFile) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileFile, JSON.stringify(profile));
    session.disconnect();
  }
  const phases = (report as { phases?: Record<string, number> }).phases;
  process.stdout.write(
    `${JSON.stringify({
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      durationMs: report.durationMs,
      counts: report.counts,
      phases,
      rssBeforeKb,
      maxRssKb: process.resourceUsage().maxRSS,
      heapUsedKb: Math.round(process.memoryUsage().heapUsed / 1024),
    })}\n`,
  );
} finally {
  await app.close();
}
