import { type Static, type TObject, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { type Compensation, type JobContext, JobFailure, type JobType } from '../jobs/types.js';
import type { ServiceStatus } from '../platform/db/schema.js';

/**
 * A lifecycle action on a hosting account, declared once, in its own file under jobs/: the
 * action admins and callers name, its job type, the service states it may start from, its
 * payload's schema (checked with the compiled schema when a worker picks the job up), how many
 * attempts it gets, its steps and the compensations of those steps. src/provisioning/registry.ts
 * lists them; queueing, the admin's checks and the worker all read that one list.
 */
export type LifecycleAction =
  | 'create'
  | 'suspend'
  | 'unsuspend'
  | 'terminate'
  | 'change_package'
  | 'change_password'
  | 'panel_action';

/** Who asked for the action, carried to the audit record the job writes when it succeeds. */
export const ActorSchema = Type.Object({
  type: Type.Union([Type.Literal('admin'), Type.Literal('client'), Type.Literal('system'), Type.Literal('cli')]),
  id: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

/** What every lifecycle job carries: the service it acts on and who asked. */
export const ServicePayloadSchema = Type.Object({ serviceId: Type.String(), actor: ActorSchema });

const DomainKindSchema = Type.Union([Type.Literal('web'), Type.Literal('dns'), Type.Literal('mail')]);

/** A client's change to what lives in the account: a domain or a database added or removed. */
export const PanelOpSchema = Type.Union([
  Type.Object({ kind: Type.Literal('add_domain'), domainKind: DomainKindSchema, domain: Type.String() }),
  Type.Object({ kind: Type.Literal('delete_domain'), domainKind: DomainKindSchema, domain: Type.String() }),
  Type.Object({
    kind: Type.Literal('add_database'),
    database: Type.String(),
    dbUser: Type.String(),
    passwordSealed: Type.String(),
  }),
  Type.Object({ kind: Type.Literal('delete_database'), database: Type.String() }),
]);
export type PanelOp = Static<typeof PanelOpSchema>;

/** Any lifecycle job's payload, as queued: the fields of every action's schema. */
export type LifecyclePayload = Static<typeof ServicePayloadSchema> & {
  /** change_package: the product whose package the account moves to. */
  productId?: string;
  /** panel_action: what to change in the account. */
  op?: PanelOp;
};

export interface LifecycleJobSpec<S extends TObject> {
  action: LifecycleAction;
  type: string;
  /** The service states an admin's request may start it from (src/provisioning/actions.ts). */
  allowedFrom: ServiceStatus[];
  payload: S;
  maxAttempts: number;
  run(ctx: JobContext<Static<S>>): Promise<void>;
  compensations?: Record<string, Compensation<Static<S>>>;
}

/** A declared lifecycle job: its spec, and the job type the worker runs. */
export interface LifecycleJob {
  action: LifecycleAction;
  type: string;
  allowedFrom: readonly ServiceStatus[];
  maxAttempts: number;
  job: JobType<unknown>;
}

export function defineLifecycleJob<S extends TObject>(spec: LifecycleJobSpec<S>): LifecycleJob {
  const check = TypeCompiler.Compile(spec.payload);
  const parse = (raw: unknown): Static<S> => {
    if (check.Check(raw)) return raw;
    const first = check.Errors(raw).First();
    const where = first?.path ? `${first.path}: ` : '';
    throw new JobFailure(
      'permanent',
      'BAD_PAYLOAD',
      `The ${spec.type} job's payload is not valid (${where}${first?.message ?? 'unexpected shape'}).`,
    );
  };
  const job: JobType<Static<S>> = {
    type: spec.type,
    maxAttempts: spec.maxAttempts,
    parse,
    run: spec.run,
    ...(spec.compensations ? { compensations: spec.compensations } : {}),
  };
  return {
    action: spec.action,
    type: spec.type,
    allowedFrom: spec.allowedFrom,
    maxAttempts: spec.maxAttempts,
    job: job as JobType<unknown>,
  };
}
