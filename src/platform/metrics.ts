import { createHash, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type * as PromClient from 'prom-client';
import type { Histogram, Registry } from 'prom-client';
import { AppError } from './http/errors.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** The values of a gauge at one scrape, by their labels. */
export type GaugeReading = { labels: Record<string, string>; value: number }[];

export interface CollectedGauge {
  name: string;
  help: string;
  labelNames: string[];
  /** Called on every scrape; what it returns replaces the gauge's previous values. */
  collect(): Promise<GaugeReading>;
}

/**
 * `/metrics` in Prometheus text format: job and panel-call durations, panel errors by code, and
 * the gauges modules add with `addGauge` (the jobs module's queue by state, read from the
 * database on scrape so every instance reports the same queue).
 */
export class Metrics {
  private built: ReturnType<typeof buildInstruments> | undefined;
  private readonly gauges: CollectedGauge[] = [];

  /**
   * prom-client is required on first use (a job run, a panel call, a scrape), not when the context
   * is built: a CLI command that records nothing never loads it.
   */
  private get instruments(): ReturnType<typeof buildInstruments> {
    if (!this.built) {
      this.built = buildInstruments();
      for (const gauge of this.gauges) registerGauge(this.built, gauge);
    }
    return this.built;
  }

  get registry(): Registry {
    return this.instruments.registry;
  }

  get jobDuration(): Histogram {
    return this.instruments.jobDuration;
  }

  addGauge(gauge: CollectedGauge): void {
    this.gauges.push(gauge);
    if (this.built) registerGauge(this.built, gauge);
  }

  recordPanelCall(call: { server: string; cmd: string; code: string; durationMs: number }): void {
    const { panelCallDuration, panelErrors } = this.instruments;
    panelCallDuration.observe({ server: call.server, command: call.cmd }, call.durationMs / 1000);
    if (call.code !== 'OK') panelErrors.inc({ server: call.server, code: call.code });
  }
}

function buildInstruments() {
  const prom = createRequire(import.meta.url)('prom-client') as typeof PromClient;
  const registry = new prom.Registry();
  return {
    registry,
    prom,
    jobDuration: new prom.Histogram({
      name: 'portico_job_duration_seconds',
      help: 'Time from claim to outcome of a provisioning job run',
      labelNames: ['type', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
      registers: [registry],
    }),
    panelCallDuration: new prom.Histogram({
      name: 'portico_panel_call_duration_seconds',
      help: 'Duration of HestiaCP API calls',
      labelNames: ['server', 'command'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
      registers: [registry],
    }),
    panelErrors: new prom.Counter({
      name: 'portico_panel_errors_total',
      help: 'HestiaCP API calls that failed, by server and code (exit-code name or transport outcome)',
      labelNames: ['server', 'code'],
      registers: [registry],
    }),
  };
}

function registerGauge(instruments: ReturnType<typeof buildInstruments>, gauge: CollectedGauge): void {
  new instruments.prom.Gauge({
    name: gauge.name,
    help: gauge.help,
    labelNames: gauge.labelNames,
    registers: [instruments.registry],
    async collect() {
      const reading = await gauge.collect();
      this.reset();
      for (const { labels, value } of reading) this.set(labels, value);
    },
  });
}

/**
 * `/metrics` is open unless `token` is set (PORTICO_METRICS_TOKEN); then a scrape must send it as
 * a Bearer token (Prometheus: `authorization: { credentials: … }`), compared in constant time.
 */
export function registerMetricsRoute(server: FastifyInstance, metrics: Metrics, token: string | undefined): void {
  const expected = token ? sha256(token) : undefined;
  server.get('/metrics', async (request, reply) => {
    if (expected) {
      const header = request.headers.authorization ?? '';
      const given = /^bearer /i.test(header) ? sha256(header.slice(7).trim()) : undefined;
      if (!given || !timingSafeEqual(given, expected)) {
        throw new AppError(
          'unauthorized',
          'The metrics need the token set in PORTICO_METRICS_TOKEN, as a Bearer token.',
          {
            headers: { 'www-authenticate': 'Bearer realm="Portico metrics"' },
          },
        );
      }
    }
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
