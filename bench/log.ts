import { logAlternation } from './log-alternation.js';
import { accessToken, startPortico, stop } from './servers.js';

/**
 * `npm run bench:log`: only the request log's cost on throughput (bench/log-alternation.ts), on
 * one Portico process: `BENCH_LOG_RUNS` alternations of `BENCH_LOG_ALTERNATION_S` each, every
 * one printed, then all their windows together.
 */
const RUNS = Number(process.env.BENCH_LOG_RUNS ?? 1);
const DURATION_S = Number(process.env.BENCH_LOG_ALTERNATION_S ?? 120);

const portico = await startPortico();
try {
  const token = await accessToken(portico.base);
  const all: number[] = [];
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  for (let run = 1; run <= RUNS; run++) {
    const result = await logAlternation({ portico, token, durationS: DURATION_S });
    all.push(...result.ratios);
    console.log(`run ${run}/${RUNS}: log on vs off ${pct(result.ratio)} (median of ${result.windows} windows)`);
  }
  const sorted = [...all].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  const mean = all.reduce((sum, x) => sum + x, 0) / all.length;
  const se = Math.sqrt(all.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (all.length - 1) / all.length);
  console.log(
    `\nRequest log on vs off: median ${pct(median)}, mean ${pct(mean)} ± ${pct(se)} (standard error) over ${all.length} one-second windows with it on (target ≥ 90 %)`,
  );
} finally {
  await stop(portico);
}
