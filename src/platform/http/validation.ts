import { createRequire } from 'node:module';
import { Ajv, type ErrorObject } from 'ajv';
import type { FormatsPlugin } from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { TEXT_BLOCK_MESSAGE, TEXT_BLOCK_PATTERN, TEXT_LINE_MESSAGE, TEXT_LINE_PATTERN } from './checks.js';
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

const choices = (values: readonly unknown[]) => `must be one of: ${values.map(String).join(', ')}`;

/**
 * A union of literals fails as one `const` error per choice and an `anyOf` error; the caller
 * needs one line naming the choices, as an `enum` gives.
 */
function mergeChoiceErrors(errors: ErrorObject[]): ErrorObject[] {
  const out: ErrorObject[] = [];
  for (const e of errors) {
    if (e.keyword !== 'anyOf') {
      out.push(e);
      continue;
    }
    const branch = `${e.schemaPath}/`;
    const inside = out.filter((o) => o.instancePath === e.instancePath && o.schemaPath.startsWith(branch));
    if (inside.length === 0 || !inside.every((o) => o.keyword === 'const')) {
      out.push(e);
      continue;
    }
    const allowedValues = inside.map((o) => (o.params as { allowedValue?: unknown }).allowedValue);
    for (const o of inside) out.splice(out.indexOf(o), 1);
    out.push({ ...e, keyword: 'enum', params: { allowedValues } });
  }
  return out;
}

/** Ajv errors → `errors[]` entries naming the field (`body.email`, `query.limit`). */
export function toFieldErrors(errors: ErrorObject[], part: string | undefined): FieldError[] {
  const prefix = PART_NAMES[part ?? 'body'] ?? 'body';
  return mergeChoiceErrors(errors).map((e) => {
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
    if (e.keyword === 'pattern') {
      const { pattern } = e.params as { pattern?: string };
      const text =
        pattern === TEXT_LINE_PATTERN
          ? TEXT_LINE_MESSAGE
          : pattern === TEXT_BLOCK_PATTERN
            ? TEXT_BLOCK_MESSAGE
            : undefined;
      if (text) return { field: [prefix, ...path].join('.'), message: text };
    }
    if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues ?? [];
      return { field: [prefix, ...path].join('.'), message: choices(allowed) };
    }
    return { field: [prefix, ...path].join('.'), message: e.message ?? 'is not valid' };
  });
}
