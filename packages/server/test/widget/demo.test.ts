import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor, BootstrapResult } from '@atrium/core';
import { testDatabaseTargets } from '@atrium/core/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo, type DemoState } from '../../src/index.js';
import { call, captureLogger, openHarness, type Harness } from '../helpers.js';

/** The embedded demo's seeding (ADR 0036): first start, restarts, and what an admin changed. */

const pglite = (await testDatabaseTargets()).find((t) => t.name === 'pglite')!;

type Ready = Extract<DemoState, { status: 'ready' }>;

describe('the demo assistant over docs/', () => {
  let h: Harness;
  let work: string;
  let docs: string;
  let dataDir: string;
  let firstStart: BootstrapResult;
  let owner: Actor;

  const seed = (publicUrl: string, options: { bootstrap?: BootstrapResult; dataDir?: string; docsDir?: string | null } = {}) => {
    const { logger, text } = captureLogger();
    const state = seedDemo({
      core: h.core,
      logger,
      dataDir: options.dataDir ?? dataDir,
      publicUrl,
      bootstrap: options.bootstrap ?? { created: false },
      docsDir: options.docsDir === undefined ? docs : options.docsDir,
    });
    return state.then((s) => ({ state: s, log: text() }));
  };

  const documentsOf = async (assistantId: string) => {
    const assistant = await h.core.assistants.get(owner, assistantId);
    const page = await h.core.documents.list(owner, assistant.collectionIds[0]!, { limit: 100 }, {});
    return page.data.map((d) => ({ source: d.source, title: d.title, hash: d.contentHash })).sort((a, b) => a.source!.localeCompare(b.source!));
  };

  const config = (key: string, origin: string) => call(h.app, 'GET', `/api/v1/widget/config?key=${key}`, { headers: { Origin: origin } });

  beforeAll(async () => {
    h = await openHarness(pglite);
    work = await mkdtemp(join(tmpdir(), 'atrium-demo-'));
    docs = join(work, 'docs');
    dataDir = join(work, 'data');
    await mkdir(join(docs, 'architecture'), { recursive: true });
    await writeFile(join(docs, 'getting-started.md'), '# Getting started\n\nRun `pnpm start` and open the demo page.\n');
    await writeFile(join(docs, 'architecture', 'overview.md'), '# Architecture overview\n\nThe server composes the core.\n');
    await writeFile(join(docs, 'notes.txt'), 'not Markdown: left out');
    owner = { tenantId: h.tenant.tenantId, userId: h.tenant.owner.id, tenantRole: 'owner', via: 'access_token' };
    firstStart = { created: true, tenant: { id: h.tenant.tenantId }, admin: { id: h.tenant.owner.id } } as BootstrapResult;
  });
  afterAll(async () => {
    await h?.close();
    await rm(work, { recursive: true, force: true });
  });

  let demo: Ready;

  it('on the first start: a published assistant over the Markdown of docs/, its widget open to the server’s own origin only', async () => {
    const { state, log } = await seed('http://localhost:4321', { bootstrap: firstStart });
    expect(state.status, JSON.stringify(state)).toBe('ready');
    demo = state as Ready;
    expect(demo.publicKey).toMatch(/^atr_pk_/);
    expect(demo.baseUrl).toBe('http://localhost:4321');
    expect(log).toContain('demo: created the demo assistant');

    const assistant = await h.core.assistants.get(owner, demo.assistantId);
    expect(assistant).toMatchObject({ name: 'Atrium guide', published: true });
    expect(await documentsOf(demo.assistantId)).toEqual([
      { source: 'architecture/overview.md', title: 'Architecture overview', hash: expect.any(String) },
      { source: 'getting-started.md', title: 'Getting started', hash: expect.any(String) },
    ]);
    const widget = await h.core.assistants.widget.get(owner, demo.assistantId);
    expect(widget).toMatchObject({ enabled: true, allowedOrigins: ['http://localhost:4321'], publicKey: demo.publicKey });
    expect(widget.starterPrompts.length).toBeGreaterThan(0);

    // The key works from the server's own origin, and from nowhere else.
    expect((await config(demo.publicKey, 'http://localhost:4321')).status).toBe(200);
    const elsewhere = await config(demo.publicKey, 'http://127.0.0.1:4321');
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.code).toBe('origin_not_allowed');
    expect(JSON.parse(await readFile(join(dataDir, 'demo.json'), 'utf8'))).toMatchObject({ assistantId: demo.assistantId });
  });

  it('a restart is a no-op: the same assistant and key, no new documents', async () => {
    const before = await documentsOf(demo.assistantId);
    const { state, log } = await seed('http://localhost:4321');
    expect(state).toEqual(demo);
    expect(await documentsOf(demo.assistantId)).toEqual(before);
    expect(log).toMatch(/"added":0,"removed":0/);
    const spaces = await h.core.spaces.list(owner, { limit: 100 });
    expect(spaces.data.filter((s) => s.name === 'Atrium demo')).toHaveLength(1);
  });

  it('a restart on another port adds that origin; changed, new and removed docs are brought in step', async () => {
    await writeFile(join(docs, 'getting-started.md'), '# Getting started\n\nRun `pnpm start`, then open /demo.\n');
    await writeFile(join(docs, 'widget.md'), '# The chat widget\n\nOne script tag.\n');
    await rm(join(docs, 'architecture', 'overview.md'));
    const { state } = await seed('http://localhost:5555/');
    expect(state).toMatchObject({ status: 'ready', assistantId: demo.assistantId, publicKey: demo.publicKey, baseUrl: 'http://localhost:5555/' });
    const widget = await h.core.assistants.widget.get(owner, demo.assistantId);
    expect(widget.allowedOrigins).toEqual(['http://localhost:4321', 'http://localhost:5555']);
    expect((await config(demo.publicKey, 'http://localhost:5555')).status).toBe(200);
    const documents = await documentsOf(demo.assistantId);
    expect(documents.map((d) => d.source)).toEqual(['getting-started.md', 'widget.md']);
  });

  it('respects an admin who turned the demo widget off: /demo says so, and it stays off', async () => {
    const widget = await h.core.assistants.widget.get(owner, demo.assistantId);
    await h.core.assistants.widget.update(owner, demo.assistantId, { ...widget, enabled: false });
    const { state } = await seed('http://localhost:4321');
    expect(state).toEqual({ status: 'unavailable', reason: "the demo assistant's widget was turned off in its settings" });
    expect((await h.core.assistants.widget.get(owner, demo.assistantId)).enabled).toBe(false);
    await h.core.assistants.widget.update(owner, demo.assistantId, { ...widget, enabled: true });
  });

  it('is skipped, with a log line, without docs/ or on a data directory that started before without it', async () => {
    const noDocs = await seed('http://localhost:4321', { docsDir: null, bootstrap: firstStart, dataDir: join(work, 'other') });
    expect(noDocs.state.status).toBe('unavailable');
    expect(noDocs.log).toContain("demo: skipped, Atrium's docs/ directory is not next to this server");

    const later = await seed('http://localhost:4321', { dataDir: join(work, 'started-before') });
    expect(later.state).toMatchObject({ status: 'unavailable', reason: expect.stringContaining("first start") });
    expect(later.log).toContain('demo: skipped');
  });

  it('a demo an admin deleted is not recreated, and the server still starts', async () => {
    await h.core.assistants.delete(owner, demo.assistantId);
    const { state, log } = await seed('http://localhost:4321');
    expect(state.status).toBe('unavailable');
    expect(log).toContain('demo: the demo could not be prepared');
    const spaces = await h.core.spaces.list(owner, { limit: 100 });
    expect(spaces.data.filter((s) => s.name === 'Atrium demo')).toHaveLength(1);
  });
});
