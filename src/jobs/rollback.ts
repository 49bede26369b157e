import { type JobRow, stepNames, stepOutputs } from './store.js';
import type { CompensationContext, JobDeps, JobType } from './types.js';

/**
 * What a job that gives up still has to undo: the compensations of its finished steps that have
 * not run yet, newest step first. A compensation that succeeded is recorded as the step
 * `undo:<step>`, so a retried rollback skips it and the job shows it.
 */
export const UNDO_PREFIX = 'undo:';

export interface PendingCompensation {
  step: string;
  describe(): Promise<string>;
  run(): Promise<void>;
}

export async function pendingCompensations(
  deps: JobDeps,
  type: JobType<unknown> | undefined,
  job: JobRow,
): Promise<PendingCompensation[]> {
  const compensations = type?.compensations;
  if (!type || !compensations) return [];
  const db = deps.db.kysely;
  const [names, outputs] = await Promise.all([stepNames(db, job.id), stepOutputs(db, job.id)]);
  const done = new Set(names);
  const pending = names.filter((step) => compensations[step] && !done.has(`${UNDO_PREFIX}${step}`)).reverse();
  // Parsed only when there is something to undo: a job whose payload its type refuses ran no
  // step, and must fail with that refusal rather than throw again here.
  if (pending.length === 0) return [];
  const ctx: CompensationContext<unknown> = {
    deps,
    job,
    payload: type.parse(JSON.parse(job.payload)),
    correlationId: job.correlation_id,
    output: <T>(step: string) => outputs.get(step) as T | undefined,
  };
  return pending.map((step) => {
    const compensation = compensations[step]!;
    return { step, describe: () => compensation.describe(ctx), run: () => compensation.run(ctx) };
  });
}

/** One line per thing left behind, each saying where it is and how to remove it. */
export async function describeLeftBehind(pending: PendingCompensation[]): Promise<string[]> {
  return Promise.all(pending.map(async (p) => `${await p.describe()} (made by step ${p.step}, not undone)`));
}

export function parseLeftBehind(raw: string | null): string[] {
  if (!raw) return [];
  try {
    const list = JSON.parse(raw) as unknown;
    return Array.isArray(list) ? list.map(String) : [String(raw)];
  } catch {
    return [raw];
  }
}
