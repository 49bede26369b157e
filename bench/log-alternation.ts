import autocannon from 'autocannon';
import { median } from './load.js';
import { loggingSwitch, type Server } from './servers.js';

/**
 * The request log's cost on throughput, measured in one long load on one Portico process while
 * an admin's script switches `userapi.logging` on and off every `windowMs` (Admin API). This
 * machine's speed drifts by tens of percent within seconds, so samples taken rounds apart compare
 * different machines; here each window with the log on is compared with the
 * two windows either side of it with the log off, a second away. The first `settleMs` of each
 * window are not counted: the log thread writes what it gathered every 100 ms, so its work for
 * the end of one window lands at the start of the next.
 */
export interface AlternationResult {
  /** Median over the windows with the log on of on / mean(off before, off after). */
  ratio: number;
  windows: number;
  ratios: number[];
}

/** Loads the JWT `GET /services` of `portico` (with `token`) while switching its log. */
export async function logAlternation(options: {
  portico: Server;
  token: string;
  durationS: number;
  windowMs?: number;
  settleMs?: number;
}): Promise<AlternationResult> {
  const windowMs = options.windowMs ?? 1_000;
  const settleMs = options.settleMs ?? 200;
  const setLogging = await loggingSwitch(options.portico.base);
  await setLogging(false);
  let counting = false;
  let count = 0;
  let finished = () => {};
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const instance = autocannon(
    {
      url: `${options.portico.base}/api/v1/services`,
      headers: { authorization: `Bearer ${options.token}` },
      connections: 50,
      duration: options.durationS + 1,
    },
    () => finished(),
  );
  instance.on('response', () => {
    if (counting) count += 1;
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await sleep(500);

  // Rates of successive windows, alternating off, on, off, on, …, off.
  const rates: number[] = [];
  const windows = Math.max(3, Math.floor((options.durationS * 1000) / windowMs) | 1);
  for (let w = 0; w < windows; w++) {
    await setLogging(w % 2 === 1);
    await sleep(settleMs);
    count = 0;
    counting = true;
    const start = performance.now();
    await sleep(windowMs - settleMs);
    counting = false;
    rates.push(count / ((performance.now() - start) / 1000));
  }
  await setLogging(false);
  instance.stop();
  await done;

  const ratios: number[] = [];
  for (let w = 1; w + 1 < rates.length; w += 2) {
    const off = ((rates[w - 1] ?? 0) + (rates[w + 1] ?? 0)) / 2;
    if (off > 0) ratios.push((rates[w] ?? 0) / off);
  }
  return { ratio: median(ratios), windows: ratios.length, ratios };
}
