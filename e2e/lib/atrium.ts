import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Actor, AtriumCore, WidgetSettingsUpdate } from '@atrium/core';
import { createAtrium, type AtriumInstance } from '@atrium/core/node';
import { createApp, loadWidgetBundle, seedDemo, type DemoState, type WidgetBundle } from '@atrium/server';
import pino from 'pino';

export const OWNER_EMAIL = 'owner@e2e.example';
export const OWNER_PASSWORD = 'correct horse battery staple';

/**
 * The real Atrium app, as `atrium start` composes it in embedded mode: PGlite (in memory), the
 * in-process queue, the local hashing embedder and extractive answerer, and the built widget
 * bundle, listening on 127.0.0.1.
 */
export interface RunningAtrium {
  /** `http://127.0.0.1:<port>`: the widget's origin, never the host page's. */
  url: string;
  core: AtriumCore;
  instance: AtriumInstance;
  owner: Actor;
  bundle: WidgetBundle;
  /** A space to make test assistants in. */
  spaceId: string;
  /** An access token of the owner, for the HTTP API. */
  token(): Promise<string>;
  close(): Promise<void>;
}

export interface StartAtriumOptions {
  /** Seed embedded mode's demo from this directory of Markdown once listening, as `atrium start` does; `/demo` serves it. */
  demoDocs?: string;
}

export const startAtrium = async (options: StartAtriumOptions = {}): Promise<RunningAtrium> => {
  const bundle = loadWidgetBundle();
  if (!('bytes' in bundle)) throw new Error(`the widget is not built: ${bundle.missing}`);
  const instance = await createAtrium({ dataDir: 'memory://', bcryptCost: 4, jwtSecret: 'e2e-jwt-secret-that-is-long-enough-0123456789' });
  const boot = await instance.core.tenants.bootstrap({ adminEmail: OWNER_EMAIL, adminPassword: OWNER_PASSWORD });
  if (!boot.created) throw new Error('bootstrap did not create a tenant');
  const owner: Actor = { tenantId: boot.tenant.id, userId: boot.admin.id, tenantRole: 'owner', via: 'access_token' };
  const logger = pino({ level: 'silent' });
  let demo: DemoState = { status: 'unavailable', reason: 'not seeded' };
  const app = createApp({ core: instance.core, logger, ready: () => instance.ping(), widgetBundle: bundle, demo: () => demo });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (options.demoDocs) demo = await seedDemo({ core: instance.core, logger, dataDir: 'memory://', publicUrl: url, bootstrap: boot, docsDir: options.demoDocs });
  const space = await instance.core.spaces.create(owner, { name: 'E2E' });
  return {
    url,
    core: instance.core,
    instance,
    owner,
    bundle,
    spaceId: space.id,
    async token() {
      const r = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: OWNER_EMAIL, password: OWNER_PASSWORD }),
      });
      return ((await r.json()) as { accessToken: string }).accessToken;
    },
    async close() {
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await instance.close(0);
    },
  };
};

const waitUntilReady = async (core: AtriumCore, owner: Actor, documentId: string): Promise<void> => {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { status, error } = await core.documents.get(owner, documentId);
    if (status === 'ready') return;
    if (status === 'failed' || Date.now() > deadline) throw new Error(`document ${documentId} not ingested (${status}: ${error})`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

export interface WidgetAssistant {
  assistantId: string;
  publicKey: string;
}

/** A published assistant over `documents` (title → text), with its widget set to `widget`. */
export const createWidgetAssistant = async (
  atrium: RunningAtrium,
  name: string,
  documents: Record<string, string>,
  widget: WidgetSettingsUpdate,
): Promise<WidgetAssistant> => {
  const { core, owner, spaceId } = atrium;
  const collection = await core.collections.create(owner, spaceId, { name: `${name} knowledge` });
  const created = [];
  for (const [title, text] of Object.entries(documents)) created.push(await core.documents.create(owner, collection.id, { kind: 'text', title, text }));
  await Promise.all(created.map(({ document }) => waitUntilReady(core, owner, document.id)));
  const assistant = await core.assistants.create(owner, spaceId, { name, collectionIds: [collection.id], published: true });
  const settings = await core.assistants.widget.update(owner, assistant.id, widget);
  return { assistantId: assistant.id, publicKey: settings.publicKey };
};

/** An HS256 JWT, signed the way a host site's backend would. */
export const signIdentity = (secret: string, claims: Record<string, unknown>): string => {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
};
