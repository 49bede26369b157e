import { Type } from '@sinclair/typebox';
import { IdParam } from '../platform/http/schemas.js';

/** Shapes shared by the hosting routes. */
export const HOSTING = 'Hosting';
export const ServiceParams = Type.Object({ id: IdParam('service', 'Service id') }, { additionalProperties: false });
export const Accepted = Type.Object(
  { operation_id: IdParam('job', 'Follow it with GET /operations/{id}') },
  { additionalProperties: false },
);
const Limit = Type.Union([Type.Integer(), Type.Null()], { description: 'null = unlimited' });
export const Usage = Type.Object(
  {
    disk_mb: Type.Number(),
    disk_quota_mb: Limit,
    bandwidth_mb: Type.Number(),
    bandwidth_limit_mb: Limit,
    web_domains: Type.Integer(),
    web_domains_limit: Limit,
    dns_domains: Type.Integer(),
    dns_domains_limit: Limit,
    mail_domains: Type.Integer(),
    mail_domains_limit: Limit,
    databases: Type.Integer(),
    databases_limit: Limit,
    suspended: Type.Boolean(),
  },
  { additionalProperties: false },
);
