import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AtriumCore } from '@atrium/core';
import { testDatabaseTargets } from '@atrium/core/test';
import { createApp } from '../src/index.js';
import {
  call,
  createTenant,
  deref,
  fetchOpenApi,
  type JsonSchema,
  jsonBodySchema,
  openHarness,
  operationsOf,
  pathParams,
  silentLogger,
  SYSADMIN_KEY,
  type Harness,
  type OpenApiOperation,
} from './helpers.js';
import { sampleValue } from './openapi-bodies.js';
import { createResources, resourceKey } from './resources.js';

/**
 * Whatever a client sends to a write route — random JSON, random objects shaped like
 * the schema, random raw text, with any content type — the answer is never a 5xx.
 */

// The route table comes from the app's own OpenAPI document (an app over no core can
// still describe itself), so every write route registered later is fuzzed too.
const describeOnly = createApp({ core: {} as AtriumCore, logger: silentLogger(), ready: async () => {} });
const doc = await fetchOpenApi(describeOnly);
const WRITE_OPS = operationsOf(doc).filter((op) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(op.method));
// Modest by default (the suite stays well under a minute per database); raise it to hunt for bugs.
const NUM_RUNS = Number(process.env.ATRIUM_FUZZ_RUNS ?? 60);

type Payload = { kind: 'json'; value: unknown } | { kind: 'raw'; text: string } | { kind: 'none' };

const serialise = (value: unknown): string | undefined => {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
};

const bodySchemaOf = (op: OpenApiOperation): JsonSchema | undefined => deref(doc, jsonBodySchema(doc, op));

/**
 * Random payloads of several kinds. The schema-shaped ones mix valid values (derived
 * from the schema) with random ones field by field, so many requests get past
 * validation and exercise the handlers and the use cases behind them.
 */
const payloadFor = (op: OpenApiOperation, refs: () => Record<string, string>, ids: string[]): fc.Arbitrary<Payload> => {
  const schema = bodySchemaOf(op);
  const props = Object.entries(schema?.properties ?? {});
  const enums = props.flatMap(([, p]) => deref(doc, p)?.enum ?? []);
  const random = fc.oneof(
    fc.anything(),
    fc.string(),
    fc.string({ unit: 'grapheme', maxLength: 50 }),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom<unknown>('', ' ', 'a@b.c', '\u0000', 'x'.repeat(5000), ...enums, ...ids),
    fc.emailAddress(),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  );
  const fieldValue = (name: string, prop: JsonSchema) =>
    fc.oneof(
      { weight: 2, arbitrary: fc.constant(null).map(() => sampleValue(doc, prop, name, refs(), `${op.method} ${op.path}`)) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 80 }) },
      { weight: 1, arbitrary: random },
    );
  const shaped: fc.Arbitrary<Record<string, unknown>> =
    props.length > 0
      ? fc.record(Object.fromEntries(props.map(([name, prop]) => [name, fieldValue(name, prop)])), {
          requiredKeys: (schema?.required ?? []).filter((k) => props.some(([n]) => n === k)),
        })
      : fc.dictionary(fc.string(), random);
  return fc.oneof(
    { weight: 1, arbitrary: fc.anything().map((v): Payload => ({ kind: 'json', value: v })) },
    { weight: 1, arbitrary: fc.json().map((text): Payload => ({ kind: 'raw', text })) },
    { weight: 4, arbitrary: shaped.map((v): Payload => ({ kind: 'json', value: v })) },
    // Prototype-pollution keys and unknown fields, as raw JSON text (an object literal would eat `__proto__`).
    {
      weight: 1,
      arbitrary: shaped.map((v): Payload => {
        const rest = serialise(v) ?? '{}';
        const tail = rest === '{}' ? '}' : `,${rest.slice(1)}`;
        return { kind: 'raw', text: `{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"extra":"field"${tail}` };
      }),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }).map((text): Payload => ({ kind: 'raw', text })) },
    { weight: 1, arbitrary: fc.constant<Payload>({ kind: 'none' }) },
  );
};

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz',
      'application/problem+json',
      undefined,
    ),
  },
);

describe.each(await testDatabaseTargets())('random bodies on write routes on $name', (target) => {
  let h: Harness;
  /** Real ids per path parameter (by name, or by collection for `{id}`), all owned by the caller's tenant. */
  let realIds: Record<string, string[]>;
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    h = await openHarness(target, { sysadminKey: SYSADMIN_KEY });
    // Two of everything in the caller's own tenant, and two other tenants for the sysadmin routes to delete.
    const sets = [await createResources(h, h.tenant, doc), await createResources(h, h.tenant, doc)];
    realIds = {};
    for (const set of sets) for (const [key, id] of Object.entries(set)) (realIds[key] ??= []).push(id);
    realIds.tenantId = [(await createTenant(h)).tenantId, (await createTenant(h)).tenantId];
  });
  afterAll(async () => {
    await h?.close();
  });

  it('covers every write route of the document', () => {
    expect(WRITE_OPS.length).toBeGreaterThanOrEqual(15);
    for (const op of WRITE_OPS)
      for (const param of pathParams(op.path)) {
        const key = resourceKey(op.path, param);
        expect(realIds[key], `property.test.ts has no real ids for "${key}" (${op.method} ${op.path}): teach createResources() in test/resources.ts to make one`).toBeDefined();
      }
  });

  it.each(WRITE_OPS.map((op) => [`${op.method} ${op.path}`, op] as const))('%s never answers 5xx', async (_name, op) => {
    const params = pathParams(op.path);
    const idArb = (param: string) => {
      const real = realIds[resourceKey(op.path, param)] ?? [];
      return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...(real.length ? real : ['none'])) },
        { weight: 1, arbitrary: fc.string({ minLength: 1 }) },
        { weight: 1, arbitrary: fc.uuid() },
      );
    };
    const allIds = Object.values(realIds).flat();
    // Body fields that reference resources get real ones (first of each kind).
    const refs = () => ({ ...Object.fromEntries(Object.entries(realIds).map(([k, v]) => [k, v[0]!])), userId: realIds.outsiderId![0]! });
    const arb = fc.record({
      ids: fc.tuple(...(params.length ? params.map(idArb) : [fc.constant('')])),
      payload: payloadFor(op, refs, allIds),
      contentType,
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ ids, payload, contentType }) => {
        let i = 0;
        const path = op.path.replace(/\{\w+\}/g, () => encodeURIComponent(ids[i++] ?? 'x'));
        const token = op.path.startsWith('/api/v1/sysadmin/') ? SYSADMIN_KEY : h.tenant.token;
        const body = payload.kind === 'json' ? serialise(payload.value) : payload.kind === 'raw' ? payload.text : undefined;
        const headers: Record<string, string> = contentType ? { 'Content-Type': contentType } : {};
        const r = await call(h.app, op.method, path, { token, headers, ...(body !== undefined && { body }) });
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        expect(r.status, `${op.method} ${path} with ${contentType} ${String(body).slice(0, 300)} → ${r.text.slice(0, 300)}`).toBeLessThan(500);
        if (r.status >= 400) expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('the fuzzing reached past validation (some requests succeeded or hit domain errors)', () => {
    // Guards against a fuzzer that only ever produces 400s and proves nothing.
    const answered = [...statuses.keys()];
    expect(answered.some((s) => s < 300)).toBe(true);
    expect(answered.some((s) => s === 404 || s === 409 || s === 403)).toBe(true);
    // And the owner's session survived it all.
    return call(h.app, 'GET', '/api/v1/me', { token: h.tenant.token }).then((r) => expect(r.status).toBe(200));
  });
});
