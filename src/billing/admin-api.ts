import { Type } from '@sinclair/typebox';
import { defineAdminRoute } from '../admin/route.js';
import { AppError } from '../platform/http/errors.js';
import { IdParam, NullableString, NullableTimestamp, StringEnum, Timestamp } from '../platform/http/schemas.js';
import { parseAt } from './at.js';
import { BILLING_ACTIONS, type BillingRunReport, runBilling } from './run.js';
import { type BillingRunRow, listBillingRuns } from './store.js';

const Counts = Type.Record(Type.String(), Type.Integer(), {
  description: 'Actions taken (or, in a dry run, that would be) by kind.',
  examples: [{ invoice: 12, credit: 3, suspend: 1, terminate: 0, cancel_invoice: 0, cancel_order: 0 }],
});

const RunReport = Type.Object(
  {
    run_id: IdParam('billingRun', 'Run id'),
    as_of: Timestamp,
    dry_run: Type.Boolean(),
    counts: Counts,
    actions: Type.Array(
      Type.Object(
        {
          action: StringEnum(BILLING_ACTIONS),
          subject_id: Type.String({ description: 'The service, invoice or order acted on.' }),
          cause: Type.String({ description: 'Why: the period, the overdue invoice, end_of_period …' }),
          invoice_id: NullableString(),
          operation_id: NullableString({ description: 'The job it queued, if any.' }),
        },
        { additionalProperties: false },
      ),
      { description: 'The actions, the first 1000 (counts has them all).' },
    ),
    actions_truncated: Type.Boolean(),
    abandoned_runs: Type.Array(Type.String(), { description: 'Crashed runs this one found and finished.' }),
    duration_ms: Type.Integer(),
  },
  { additionalProperties: false },
);

const RunRow = Type.Object(
  {
    id: IdParam('billingRun', 'Run id'),
    as_of: Timestamp,
    status: StringEnum(['running', 'done', 'failed', 'abandoned'] as const),
    started_at: Timestamp,
    finished_at: NullableTimestamp,
    counts: Type.Union([Counts, Type.Null()]),
    error: NullableString(),
  },
  { additionalProperties: false },
);

function reportOut(r: BillingRunReport) {
  return {
    run_id: r.runId,
    as_of: r.asOf,
    dry_run: r.dryRun,
    counts: r.counts,
    actions: r.actions.map((a) => ({
      action: a.action,
      subject_id: a.subject_id,
      cause: a.cause,
      invoice_id: a.invoice_id ?? null,
      operation_id: a.operation_id ?? null,
    })),
    actions_truncated: r.actionsTruncated,
    abandoned_runs: r.abandonedRuns,
    duration_ms: r.durationMs,
  };
}

function runOut(r: BillingRunRow) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
  return {
    id: r.id,
    as_of: new Date(Number(r.as_of_ms)).toISOString(),
    status: r.status,
    started_at: new Date(Number(r.started_at_ms)).toISOString(),
    finished_at: iso(r.finished_at_ms),
    counts: r.summary ? (JSON.parse(r.summary) as Record<string, number>) : null,
    error: r.error,
  };
}

/** The billing run in the Admin API: run it (or see what it would do) and list recent runs. */
export const billingRunAdminRoutes = [
  defineAdminRoute({
    method: 'POST',
    path: '/billing/runs',
    operationId: 'adminRunBilling',
    category: 'Billing',
    summary: 'Run billing',
    description:
      'Issues the renewal invoices that fell due, pays them from credit, suspends and terminates overdue services, terminates end-of-period cancellations and cancels unpaid orders, as of `at` (default now). With `dry_run` it only says what it would do. The same as `portico billing run`. One run at a time: 409 while another is in progress.',
    auth: 'admin',
    permission: 'invoices',
    body: Type.Object(
      {
        at: Type.Optional(
          Type.String({
            minLength: 10,
            maxLength: 40,
            description: 'The day it is: an ISO date (in billing.time_zone) or time. Default: now.',
            examples: ['2027-03-01'],
          }),
        ),
        dry_run: Type.Optional(Type.Boolean({ description: 'Change nothing; report what would be done.' })),
      },
      { additionalProperties: false },
    ),
    response: { status: 200, description: 'What the run did (or would do).', schema: RunReport },
    errors: ['validation_failed', 'conflict'],
    handler: async ({ body }, ctx) => {
      let atMs: number | undefined;
      if (body.at !== undefined) {
        try {
          atMs = parseAt(body.at, ctx.app.settings.snapshot['billing.time_zone']);
        } catch {
          throw new AppError(
            'validation_failed',
            'at must be an ISO date like 2027-03-01 or a time like 2027-03-01T09:00:00Z.',
            {
              errors: [{ field: 'body.at', message: 'is not an ISO date or time' }],
            },
          );
        }
      }
      const report = await runBilling(ctx.app, {
        ...(atMs !== undefined ? { atMs } : {}),
        dryRun: body.dry_run === true,
      });
      return reportOut(report);
    },
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/billing/runs',
    operationId: 'adminListBillingRuns',
    category: 'Billing',
    summary: 'List billing runs',
    description: 'Recent billing runs, newest first, with what each did. The same as `portico billing runs`.',
    auth: 'admin',
    query: Type.Object(
      { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'How many (default 20).' })) },
      { additionalProperties: false },
    ),
    response: {
      status: 200,
      description: 'The runs.',
      schema: Type.Object({ items: Type.Array(RunRow) }, { additionalProperties: false }),
    },
    handler: async ({ query }, ctx) => ({
      items: (await listBillingRuns(ctx.app.db.kysely, { limit: query.limit ?? 20 })).map(runOut),
    }),
  }),
];
