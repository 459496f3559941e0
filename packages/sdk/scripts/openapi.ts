/**
 * The server's OpenAPI document, built in-process (no port, no database), and the
 * TypeScript that openapi-typescript makes of it. Used by `pnpm generate` (writes
 * src/generated/openapi.ts) and by the drift test (compares with the committed file).
 */
import { createApp, createLogger } from '@atrium/server';
import openapiTS, { astToString } from 'openapi-typescript';

export const GENERATED_FILE = new URL('../src/generated/openapi.ts', import.meta.url);

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { operationId?: string; summary?: string }>>;
  components?: Record<string, unknown>;
}

/** The document the server serves at /openapi.json. The core is never called to produce it. */
export const serverOpenApiDocument = async (): Promise<OpenApiDocument> => {
  const app = createApp({ core: {} as never, logger: createLogger('silent'), ready: async () => {} });
  const res = await app.request('/openapi.json');
  if (res.status !== 200) throw new Error(`/openapi.json answered ${res.status}`);
  return (await res.json()) as OpenApiDocument;
};

const HEADER = `// Generated from the server's OpenAPI document by packages/sdk/scripts/generate-types.ts.
// Do not edit: run \`pnpm --filter @atrium/sdk generate\`. A test fails when this file drifts.
`;

export const generateTypes = async (): Promise<string> => {
  const ast = await openapiTS((await serverOpenApiDocument()) as never, { alphabetize: true });
  return HEADER + astToString(ast);
};
