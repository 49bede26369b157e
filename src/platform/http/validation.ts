import { createRequire } from 'node:module';
import { Ajv, type ErrorObject } from 'ajv';
import type { FormatsPlugin } from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldError } from './errors.js';

// ajv-formats is CommonJS with a default export that ESM interop wraps; require() gets the function.
const addFormats = createRequire(import.meta.url)('ajv-formats') as FormatsPlugin;

/**
 * Two validators: JSON bodies are checked strictly (a string where a number belongs is an error,
 * unknown fields are errors — never silently dropped), while path and query strings are coerced
 * from text, which is all they can be.
 */
function makeAjv(coerceTypes: boolean | 'array'): Ajv {
  const ajv = new Ajv({
    coerceTypes,
    useDefaults: true,
    removeAdditional: false,
    allErrors: true,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

const bodyAjv = makeAjv(false);
const textAjv = makeAjv('array');

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  return ajv.compile(schema as object);
};

const PART_NAMES: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

/** Ajv errors → `errors[]` entries naming the field (`body.email`, `query.limit`). */
export function toFieldErrors(errors: ErrorObject[], part: string | undefined): FieldError[] {
  const prefix = PART_NAMES[part ?? 'body'] ?? 'body';
  return errors.map((e) => {
    const path = e.instancePath
      .split('/')
      .filter(Boolean)
      .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
    if (e.keyword === 'additionalProperties') {
      const extra = String((e.params as { additionalProperty?: string }).additionalProperty);
      return { field: [prefix, ...path, extra].join('.'), message: 'unknown field' };
    }
    if (e.keyword === 'required') {
      const missing = String((e.params as { missingProperty?: string }).missingProperty);
      return { field: [prefix, ...path, missing].join('.'), message: 'is required' };
    }
    return { field: [prefix, ...path].join('.'), message: e.message ?? 'is not valid' };
  });
}
