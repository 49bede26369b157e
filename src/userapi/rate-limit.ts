import type { FastifyReply } from 'fastify';
import type { AppContext } from '../app-context.js';
import { AppError } from '../platform/http/errors.js';

/**
 * The User API rate limit (`userapi.rate_limit`): per client once authenticated, per IP before.
 * Every limited response carries the IETF RateLimit-Policy / RateLimit headers
 * (draft-ietf-httpapi-ratelimit-headers, structured-field form); a refused one gets 429 with
 * Retry-After.
 */
export async function applyRateLimit(
  app: Pick<AppContext, 'settings' | 'rateLimits'>,
  reply: FastifyReply,
  key: string,
): Promise<void> {
  const rule = app.settings.snapshot['userapi.rate_limit'];
  if (!rule) return;
  const decision = await app.rateLimits.consume('api', key, rule);
  reply.header('ratelimit-policy', `"default";q=${rule.points};w=${rule.durationS}`);
  reply.header('ratelimit', `"default";r=${decision.remaining};t=${decision.resetS}`);
  if (!decision.allowed) {
    throw new AppError(
      'rate_limited',
      `Rate limit of ${rule.points} requests per ${rule.durationS} seconds exceeded. Retry after ${decision.resetS} seconds.`,
      { headers: { 'retry-after': String(decision.resetS) } },
    );
  }
}
