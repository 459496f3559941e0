import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { documentContentHash, type Actor, type AtriumCore, type BootstrapResult, type KnowledgeDocument } from '@atrium/core';
import type { Logger } from 'pino';

/** What `/demo` shows: the demo assistant's widget, or why there is none. */
export type DemoState =
  | {
      status: 'ready';
      assistantId: string;
      publicKey: string;
      /** The server's public URL, which the page's widget talks to. */
      baseUrl: string;
    }
  | { status: 'unavailable'; reason: string };

/** The ids the demo's first start made, kept in the data directory so that later starts find them. */
interface DemoRecord {
  tenantId: string;
  userId: string;
  spaceId: string;
  collectionId: string;
  assistantId: string;
}

export interface SeedDemoOptions {
  core: AtriumCore;
  logger: Logger;
  /** The embedded data directory: `demo.json` there remembers the demo across restarts. */
  dataDir: string;
  /** The server's public URL (`ATRIUM_PUBLIC_URL`): its origin is the one the demo widget admits. */
  publicUrl: string;
  /** This start's bootstrap: the demo is made on the first start, in the tenant it created. */
  bootstrap: BootstrapResult;
  /** The Markdown to ingest; by default Atrium's own `docs/`, when the server runs from a checkout. Null: none. */
  docsDir?: string | null;
}

export const DEMO_RECORD_FILE = 'demo.json';
export const DEMO_NAMES = { space: 'Atrium demo', collection: 'Atrium docs', assistant: 'Atrium guide' } as const;
const GREETING = 'Hi! I answer questions about Atrium from its own documentation. What would you like to know?';
const STARTER_PROMPTS = ['How do I put the widget on my site?', 'What is embedded mode?', 'How does hybrid search work?'];

/**
 * Atrium's `docs/` when the server runs from a checkout of the repository (the package sits
 * in `packages/server`, with `pnpm-workspace.yaml` two levels up); null when it was installed
 * from npm, which ships no docs.
 */
export const findRepositoryDocs = (): string | null => {
  const packageDir = dirname(createRequire(import.meta.url).resolve('@atrium/server/package.json'));
  const root = join(packageDir, '..', '..');
  const docs = join(root, 'docs');
  return existsSync(join(root, 'pnpm-workspace.yaml')) && existsSync(docs) ? docs : null;
};

/** Every Markdown file under `dir`, as paths relative to it with `/` separators, sorted. */
const markdownFiles = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
};

const titleOf = (markdown: string, file: string): string => /^#\s+(.+)$/m.exec(markdown)?.[1]?.trim().slice(0, 300) || file;

const readRecord = async (file: string): Promise<DemoRecord | null> => {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DemoRecord;
  } catch {
    return null;
  }
};

const allDocuments = async (core: AtriumCore, actor: Actor, collectionId: string): Promise<KnowledgeDocument[]> => {
  const all: KnowledgeDocument[] = [];
  let cursor: string | null = null;
  do {
    const page = await core.documents.list(actor, collectionId, { limit: 100, cursor }, {});
    all.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
};

/**
 * Makes the collection hold exactly the Markdown of `docsDir`, one document per file (its
 * path is the document's source): new files are added, changed ones replaced, removed ones
 * deleted, unchanged ones left alone.
 */
const syncDocs = async (core: AtriumCore, actor: Actor, collectionId: string, docsDir: string) => {
  const wanted = new Map<string, { bytes: Uint8Array; hash: string; title: string }>();
  for (const file of await markdownFiles(docsDir)) {
    const bytes = new Uint8Array(await readFile(join(docsDir, file)));
    const text = new TextDecoder().decode(bytes);
    if (text.trim() === '') continue;
    wanted.set(file, { bytes, hash: await documentContentHash(bytes), title: titleOf(text, file) });
  }
  let removed = 0;
  const kept = new Set<string>();
  for (const document of await allDocuments(core, actor, collectionId)) {
    const want = document.source ? wanted.get(document.source) : undefined;
    if (want && want.hash === document.contentHash && document.status !== 'failed' && !kept.has(document.source!)) {
      kept.add(document.source!);
      continue;
    }
    await core.documents.delete(actor, document.id);
    removed++;
  }
  let added = 0;
  for (const [file, { bytes, title }] of wanted) {
    if (kept.has(file)) continue;
    await core.documents.create(actor, collectionId, { kind: 'file', bytes, filename: file, title, declaredType: 'text/markdown' });
    added++;
  }
  return { documents: wanted.size, added, removed };
};

/**
 * The demo of embedded mode (issue 18, ADR 0036): on a data directory's first start, a space,
 * a collection of Atrium's own `docs/` and a published assistant over it, whose widget admits
 * the server's own origin. Later starts bring the documents up to date with `docs/` and make
 * sure the widget admits the current origin (the port may have changed); they never turn on a
 * widget an admin turned off, nor recreate a demo an admin deleted. Nothing here stops the
 * server: a problem is logged, and `/demo` says what is missing.
 */
export const seedDemo = async (options: SeedDemoOptions): Promise<DemoState> => {
  const { core, logger, bootstrap } = options;
  const docsDir = options.docsDir === undefined ? findRepositoryDocs() : options.docsDir;
  if (!docsDir) {
    const reason = "Atrium's docs/ directory is not next to this server (the demo needs a checkout of the repository)";
    logger.info(`demo: skipped, ${reason}`);
    return { status: 'unavailable', reason };
  }
  // PGlite in memory (`memory://`) forgets everything at exit, and so does the record.
  const recordFile = options.dataDir.startsWith('memory://') ? null : join(options.dataDir, DEMO_RECORD_FILE);
  const origin = new URL(options.publicUrl).origin;
  try {
    let record = recordFile ? await readRecord(recordFile) : null;
    if (!record) {
      if (!bootstrap.created) {
        const reason = `the demo is made on a data directory's first start, and ${options.dataDir} had started without it (delete the directory to start over)`;
        logger.info(`demo: skipped, ${reason}`);
        return { status: 'unavailable', reason };
      }
      const owner: Actor = { tenantId: bootstrap.tenant.id, userId: bootstrap.admin.id, tenantRole: 'owner', via: 'access_token' };
      const space = await core.spaces.create(owner, { name: DEMO_NAMES.space, description: "A demo assistant over Atrium's own documentation" });
      const collection = await core.collections.create(owner, space.id, { name: DEMO_NAMES.collection, description: "The Markdown of Atrium's docs/" });
      const assistant = await core.assistants.create(owner, space.id, {
        name: DEMO_NAMES.assistant,
        instructions: 'You answer questions about Atrium from its documentation. Cite your sources; when the documentation does not say, say so.',
        collectionIds: [collection.id],
        published: true,
      });
      await core.assistants.widget.update(owner, assistant.id, {
        enabled: true,
        allowedOrigins: [origin],
        greeting: GREETING,
        starterPrompts: STARTER_PROMPTS,
        theme: { title: 'Ask the Atrium docs' },
      });
      record = { tenantId: owner.tenantId, userId: owner.userId, spaceId: space.id, collectionId: collection.id, assistantId: assistant.id };
      if (recordFile) {
        await mkdir(options.dataDir, { recursive: true });
        await writeFile(recordFile, `${JSON.stringify(record, null, 2)}\n`);
      }
      logger.info({ assistantId: assistant.id }, 'demo: created the demo assistant');
    }
    const actor: Actor = { tenantId: record.tenantId, userId: record.userId, tenantRole: 'owner', via: 'access_token' };
    const synced = await syncDocs(core, actor, record.collectionId, docsDir);
    let widget = await core.assistants.widget.get(actor, record.assistantId);
    if (!widget.allowedOrigins.includes(origin)) {
      const { enabled, allowedOrigins, greeting, starterPrompts, theme, rateLimit, identity } = widget;
      widget = await core.assistants.widget.update(actor, record.assistantId, {
        enabled,
        allowedOrigins: [...allowedOrigins, origin],
        greeting,
        starterPrompts,
        theme,
        rateLimit,
        identity,
      });
    }
    logger.info({ ...synced, assistantId: record.assistantId }, 'demo: documents in step with docs/');
    if (!widget.enabled) return { status: 'unavailable', reason: "the demo assistant's widget was turned off in its settings" };
    return { status: 'ready', assistantId: record.assistantId, publicKey: widget.publicKey, baseUrl: options.publicUrl };
  } catch (error) {
    const reason = `the demo could not be prepared (${error instanceof Error ? error.message : String(error)})`;
    logger.warn({ err: error }, `demo: ${reason}`);
    return { status: 'unavailable', reason };
  }
};
