import { readFileSync } from 'node:fs';
import type { AtriumCore } from '@atrium/core';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/index.js';
import { fetchOpenApi, operationsOf, silentLogger } from './helpers.js';

/**
 * The operations `/openapi.json` documents, against the list in `fixtures/openapi-operations.txt`
 * (method, path and summary). The list was taken before the request path moved to route
 * groups; an operation that appears, disappears or moves shows up here and in review.
 */
const EXPECTED = readFileSync(new URL('./fixtures/openapi-operations.txt', import.meta.url), 'utf8').trim().split('\n');

describe('the OpenAPI document', () => {
  it('lists exactly the expected operations', async () => {
    const app = createApp({ core: {} as AtriumCore, logger: silentLogger(), ready: async () => {} });
    const listed = operationsOf(await fetchOpenApi(app))
      .map(({ method, path, operation }) => `${method} ${path}  ${operation.summary}`)
      .sort();
    expect(listed.length).toBeGreaterThan(40);
    expect(listed).toEqual(EXPECTED);
  });
});
