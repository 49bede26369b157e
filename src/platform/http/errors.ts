/**
 * The closed registry of error codes. Every error a client can receive is one of these, sent as
 * `application/problem+json` (RFC 9457) with `type`, `title`, `status`, `detail`, `instance`,
 * `code` and `requestId`, plus `errors[]` naming the field for validation failures.
 */
export const ERROR_CODES = {
  /** The request body, query or path failed schema validation; `errors[]` names each field. */
  validation_failed: { status: 400, title: 'The request is not valid' },
  /** The body is not parseable JSON. */
  malformed_json: { status: 400, title: 'The request body is not valid JSON' },
  /** A value is well-formed but not acceptable (e.g. wrong current password, unknown product cycle). */
  invalid_request: { status: 400, title: 'The request cannot be carried out' },
  /** No credentials, or credentials that do not identify an active client. */
  unauthorized: { status: 401, title: 'Authentication is required' },
  /** The request used an authentication method the provider has switched off. */
  auth_method_disabled: { status: 401, title: 'This authentication method is disabled' },
  /** The access token has expired; refresh it or log in again. */
  token_expired: { status: 401, title: 'The access token has expired' },
  /** Authenticated, but the credential's scope does not allow this action (e.g. a read-only token). */
  insufficient_scope: { status: 403, title: 'The credential does not allow this action' },
  /** The Admin API is limited to listed addresses (`admin.allowed_ips`) and this one is not among them. */
  address_not_allowed: { status: 403, title: 'Requests from this address are not allowed' },
  /** A state-changing admin-area request without the session's CSRF token (X-CSRF-Token). */
  csrf_failed: { status: 403, title: 'Missing or wrong CSRF token' },
  /** The staff member's role does not allow this Admin API route; the detail names the roles that may. */
  forbidden_role: { status: 403, title: 'Your staff role does not allow this' },
  /** The staff member's role must log in with two-factor and has not enrolled yet: only the enrolment is open. */
  totp_enrolment_required: { status: 403, title: 'Set up two-factor login first' },
  /** This staff member logs in with two-factor: send `totp_code` (HTTP Basic cannot carry one). */
  totp_required: { status: 401, title: 'A two-factor code is required' },
  /** The two-factor code (or recovery code) is wrong, or was already used. */
  totp_invalid: { status: 401, title: 'The two-factor code is not valid' },
  /** The resource does not exist, or belongs to someone else. */
  not_found: { status: 404, title: 'Not found' },
  /** No route matches this method and path (or the route is disabled). */
  route_not_found: { status: 404, title: 'No such route' },
  /** The resource exists but is in a state that forbids this action. */
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  /** The URL (or one path segment) is longer than the API accepts, or not valid percent-encoding. */
  bad_url: { status: 400, title: 'The URL is not valid' },
  /** Not a valid HTTP request (request line, header syntax, framing); the connection is closed. */
  malformed_request: { status: 400, title: 'The request is not valid HTTP' },
  /** The request (headers and body) did not arrive within the server's request timeout. */
  request_timeout: { status: 408, title: 'The request took too long to arrive' },
  /** The request line and headers together are larger than the server accepts (16 KiB). */
  headers_too_large: { status: 431, title: 'The request headers are too large' },
  /** The body is larger than the API accepts. */
  payload_too_large: { status: 413, title: 'The request body is too large' },
  /** The body is not sent as application/json. */
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  /** The same Idempotency-Key was used with a different request. */
  idempotency_key_reused: { status: 422, title: 'The Idempotency-Key was used for a different request' },
  /** Too many requests for the configured rate limit; wait for Retry-After seconds. */
  rate_limited: { status: 429, title: 'Too many requests' },
  /** Too many failed logins for this account or address; wait for Retry-After seconds. */
  login_throttled: { status: 429, title: 'Too many failed logins' },
  /** An unexpected failure on our side; the request id identifies it in the logs. */
  /** The payment method asked for is switched off by the provider; the detail names those that are on. */
  payment_method_disabled: { status: 409, title: 'This payment method is switched off' },
  /** The payment provider (Stripe) could not be reached or refused the request; try again later. */
  payment_provider_error: { status: 502, title: 'The payment provider did not answer as expected' },
  /** The mail server could not be reached or refused the message; the detail carries its answer. */
  mail_server_error: { status: 502, title: 'The mail server did not accept the message' },
  internal_error: { status: 500, title: 'Internal server error' },
  /** A dependency (database, panel) is unavailable; try again later. */
  unavailable: { status: 503, title: 'Service temporarily unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldError {
  /** Where the problem is: `body.email`, `query.limit`, `path.id`, `header.authorization`. */
  field: string;
  message: string;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly options: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, { cause: options.cause });
    this.status = ERROR_CODES[code].status;
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ErrorCode;
  requestId: string;
  errors?: FieldError[];
}

export const PROBLEM_TYPE_BASE = 'https://portico.dev/problems/';

export function toProblem(error: AppError, context: { requestId: string; instance: string }): Problem {
  const problem: Problem = {
    type: `${PROBLEM_TYPE_BASE}${error.code.replaceAll('_', '-')}`,
    title: ERROR_CODES[error.code].title,
    status: error.status,
    detail: error.detail,
    instance: context.instance,
    code: error.code,
    requestId: context.requestId,
  };
  if (error.options.errors?.length) problem.errors = error.options.errors;
  return problem;
}

export const notFound = (what: string) => new AppError('not_found', `${what} was not found.`);
