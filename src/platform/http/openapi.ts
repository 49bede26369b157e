import type { TSchema } from '@sinclair/typebox';
import { ERROR_CODES, type ErrorCode, PROBLEM_TYPE_BASE } from './errors.js';
import type { AnyRouteSpec } from './route.js';
import { exampleId } from './schemas.js';

/**
 * The pieces of an OpenAPI 3.1 document every surface builds the same way from its route
 * declarations: parameters, request and success bodies, and problem+json error responses.
 */
export type Json = Record<string, unknown>;

/** Serialisable copy of a TypeBox schema (drops TypeBox's symbol keys). */
export function plain(schema: TSchema): Json {
  return JSON.parse(JSON.stringify(schema)) as Json;
}

export function parameters(spec: AnyRouteSpec): Json[] {
  const out: Json[] = [];
  for (const [location, schema] of [
    ['path', spec.params],
    ['query', spec.query],
  ] as const) {
    if (!schema) continue;
    const object = plain(schema) as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      const { description, ...rest } = property;
      out.push({
        name,
        in: location,
        required: location === 'path' || (object.required ?? []).includes(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  return out;
}

/** The error codes every route with input can answer, besides its own and its surface's. */
export function inputErrorCodes(spec: AnyRouteSpec): ErrorCode[] {
  const codes: ErrorCode[] = [];
  if (spec.params || spec.query || spec.body) codes.push('validation_failed');
  if (spec.body) codes.push('malformed_json', 'payload_too_large');
  return codes;
}

/** One response per status, listing its codes, with an example problem of the first. */
export function errorResponses(codes: Iterable<ErrorCode>, instance: string): Json {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Json = {};
  for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    const first = list[0]!;
    out[String(status)] = {
      description: list.map((c) => `\`${c}\`: ${ERROR_CODES[c].title}`).join('; '),
      content: {
        'application/problem+json': {
          schema: { $ref: '#/components/schemas/Problem' },
          example: {
            type: `${PROBLEM_TYPE_BASE}${first.replaceAll('_', '-')}`,
            title: ERROR_CODES[first].title,
            status,
            detail: ERROR_CODES[first].title,
            instance,
            code: first,
            requestId: exampleId('request'),
          },
        },
      },
    };
  }
  return out;
}

/**
 * What an operation takes and answers — parameters (the route's own, then `extraParameters`), the
 * request body, the success response and its error responses — in the order both documents list them.
 */
export function operationIo(
  spec: AnyRouteSpec,
  options: { instance: string; errorCodes: Iterable<ErrorCode>; extraParameters?: Json[] },
): Json {
  const op: Json = {};
  const params = [...parameters(spec), ...(options.extraParameters ?? [])];
  if (params.length) op.parameters = params;
  const { requestBody, success } = bodies(spec);
  if (requestBody) op.requestBody = requestBody;
  op.responses = {
    [String(spec.response.status)]: success,
    ...errorResponses(options.errorCodes, options.instance),
  };
  return op;
}

/** The request body and the success response of a route. */
export function bodies(spec: AnyRouteSpec): { requestBody?: Json; success: Json } {
  const success: Json = { description: spec.response.description };
  if (spec.response.schema) {
    const type = spec.response.contentType?.split(';')[0] ?? 'application/json';
    success.content = { [type]: { schema: plain(spec.response.schema) } };
  }
  return {
    ...(spec.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: plain(spec.body) } } } }
      : {}),
    success,
  };
}

export const PROBLEM_SCHEMA: Json = {
  type: 'object',
  description: 'RFC 9457 problem details. `code` is one of a closed list; `errors` names each invalid field.',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string', enum: Object.keys(ERROR_CODES) },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string', examples: ['body.email'] }, message: { type: 'string' } },
      },
    },
  },
};
