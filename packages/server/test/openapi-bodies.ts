import { randomUUID } from 'node:crypto';
import { deref, jsonBodySchema, PASSWORD, uniqueEmail, type JsonSchema, type OpenApiDoc, type OpenApiOperation } from './helpers.js';

/**
 * Builds a minimal, plausible, valid request body for an operation from its OpenAPI requestBody
 * schema, so table-driven tests pick up new routes without edits. Fields that point at
 * other resources (e.g. `userId`) take their value from `refs`; anything the generator
 * cannot derive fails loudly, telling the developer where to add it.
 */
export type BodyOverride = (refs: Record<string, string>) => unknown;

/** Field names whose values must be meaningful, not merely well-typed. */
const FIELD_VALUES: Record<string, (refs: Record<string, string>) => unknown> = {
  email: () => uniqueEmail('body'),
  adminEmail: () => uniqueEmail('body-admin'),
  password: () => PASSWORD,
  adminPassword: () => PASSWORD,
  refreshToken: () => `atr_rt_${'x'.repeat(43)}`,
};

export class BodyDerivationError extends Error {}


export const sampleValue = (doc: OpenApiDoc, raw: JsonSchema | undefined, field: string, refs: Record<string, string>, where: string): unknown => {
  const schema = deref(doc, raw);
  if (!schema) throw new BodyDerivationError(`${where}: no schema for field "${field}"`);
  if (FIELD_VALUES[field]) return FIELD_VALUES[field](refs);
  if (refs[field] !== undefined) return refs[field];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    const branch = branches.map((b) => deref(doc, b)).find((b) => b && b.type !== 'null');
    return sampleValue(doc, branch, field, refs, where);
  }
  if (schema.allOf) {
    return Object.assign({}, ...schema.allOf.map((s) => sampleValue(doc, s, field, refs, where)));
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      // Minimal: required fields only (optional ones such as a model name may need real values).
      const out: Record<string, unknown> = {};
      for (const [name, prop] of Object.entries(schema.properties ?? {})) {
        if ((schema.required ?? []).includes(name)) out[name] = sampleValue(doc, prop, name, refs, where);
      }
      return out;
    }
    case 'array':
      return [sampleValue(doc, schema.items, field, refs, where)];
    case 'string': {
      if (schema.format === 'email') return uniqueEmail('body');
      if (schema.format === 'uuid') return randomUUID();
      if (schema.format === 'date-time') return new Date(Date.now() + 86_400_000).toISOString();
      if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com/';
      const text = `Test ${field}`;
      const min = schema.minLength ?? 0;
      const max = schema.maxLength ?? Infinity;
      return text.padEnd(min, 'x').slice(0, max);
    }
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.maximum !== undefined ? Math.min(1, schema.maximum) : 1);
    case 'boolean':
      return true;
    default:
      throw new BodyDerivationError(`${where}: cannot derive a value for field "${field}" (schema ${JSON.stringify(schema)})`);
  }
};

/**
 * The body for `op`: undefined when it takes none, the override when one is registered
 * for `"METHOD path"`, otherwise derived from the JSON schema.
 */
export const plausibleBody = (
  doc: OpenApiDoc,
  op: OpenApiOperation,
  refs: Record<string, string>,
  overrides: Record<string, BodyOverride> = {},
): { body: unknown; hasBody: boolean } => {
  const key = `${op.method} ${op.path}`;
  if (overrides[key]) return { body: overrides[key](refs), hasBody: true };
  const content = op.operation.requestBody?.content;
  if (!content) return { body: undefined, hasBody: false };
  const schema = jsonBodySchema(doc, op);
  if (!schema)
    throw new BodyDerivationError(
      `${key} takes ${Object.keys(content).join(', ')} but no application/json body: add a body for "${key}" to the test's BODY_OVERRIDES`,
    );
  return { body: sampleValue(doc, schema, 'body', refs, key), hasBody: true };
};
