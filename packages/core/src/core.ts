import type { JobHandlers } from './ports/index.js';
import type { CoreContext } from './services/context.js';
import * as uc from './services/index.js';

/**
 * The facade hosts use: every use case with its context already applied, grouped by
 * resource. Servers, workers and scripts call `core.spaces.create(actor, input)` and
 * never assemble dependencies themselves.
 */
export const createCore = (ctx: CoreContext) => {
  const bind =
    <A extends unknown[], R>(fn: (ctx: CoreContext, ...args: A) => R) =>
    (...args: A): R =>
      fn(ctx, ...args);
  return {
    context: ctx,
    auth: {
      login: bind(uc.login),
      refresh: bind(uc.refreshSession),
      logout: bind(uc.logout),
      authenticate: bind(uc.authenticate),
    },
    me: bind(uc.getMe),
    /** The widget's public side: pages on customers' sites, with a public key. */
    widget: {
      admit: bind(uc.admitWidget),
      anyAllowsOrigin: bind(uc.anyWidgetAllowsOrigin),
      config: uc.widgetConfig,
      startSession: bind(uc.startVisitorSession),
      admitVisitor: bind(uc.admitVisitor),
      chat: bind(uc.chatAsVisitor),
      conversation: bind(uc.getVisitorConversation),
      rate: bind(uc.rateAsVisitor),
    },
    idempotency: {
      start: bind(uc.startIdempotent),
      finish: bind(uc.finishIdempotent),
    },
    users: {
      list: bind(uc.listUsers),
      get: bind(uc.getUser),
      create: bind(uc.createUser),
      update: bind(uc.updateUser),
      delete: bind(uc.deleteUser),
    },
    apiKeys: {
      list: bind(uc.listApiKeys),
      create: bind(uc.createApiKey),
      revoke: bind(uc.revokeApiKey),
    },
    spaces: {
      list: bind(uc.listSpaces),
      get: bind(uc.getSpace),
      create: bind(uc.createSpace),
      update: bind(uc.updateSpace),
      delete: bind(uc.deleteSpace),
      members: {
        list: bind(uc.listMembers),
        add: bind(uc.addMember),
        update: bind(uc.updateMember),
        remove: bind(uc.removeMember),
      },
    },
    collections: {
      list: bind(uc.listCollections),
      get: bind(uc.getCollection),
      create: bind(uc.createCollection),
      update: bind(uc.updateCollection),
      delete: bind(uc.deleteCollection),
      search: bind(uc.searchCollection),
    },
    documents: {
      list: bind(uc.listDocuments),
      get: bind(uc.getDocument),
      create: bind(uc.createDocument),
      delete: bind(uc.deleteDocument),
      retry: bind(uc.retryDocument),
      chunks: bind(uc.listChunks),
    },
    websites: {
      list: bind(uc.listWebsites),
      get: bind(uc.getWebsite),
      create: bind(uc.createWebsite),
      update: bind(uc.updateWebsite),
      delete: bind(uc.deleteWebsite),
      crawl: bind(uc.startCrawl),
      documents: bind(uc.listWebsiteDocuments),
      runs: {
        list: bind(uc.listCrawlRuns),
        cancel: bind(uc.cancelCrawlRun),
      },
    },
    jobs: {
      get: bind(uc.getJob),
      /** The job handlers, with jobs-table bookkeeping, for whichever process runs jobs. */
      handlers: (): JobHandlers => ({
        ...uc.trackedHandlers(ctx, {
          ingest_document: (job, run) => uc.ingestDocument(ctx, job, run),
          reindex_collection: (job, run) => uc.reindexCollection(ctx, job, run),
          crawl_website: (job, run) => uc.crawlWebsite(ctx, job, run),
        }),
        // A schedule's tick is not a tracked job: it starts one (a crawl run) when one is due.
        recrawl_website: (job) => uc.recrawlOnSchedule(ctx, job),
      }),
      recoverUnfinished: bind(uc.recoverUnfinishedJobs),
      /** Registers every website's recrawl schedule with this process's scheduler. */
      restoreSchedules: () => uc.restoreSchedules(ctx),
    },
    models: {
      list: () => uc.listModels(ctx),
      embedding: () => uc.listModels(ctx).embedding,
      /** The assistants an actor may chat with (the OpenAI-compatible model list). */
      assistants: bind(uc.listUsableAssistants),
    },
    assistants: {
      list: bind(uc.listAssistants),
      get: bind(uc.getAssistant),
      create: bind(uc.createAssistant),
      update: bind(uc.updateAssistant),
      delete: bind(uc.deleteAssistant),
      /** Starts a chat; see `ChatStream` for how to consume it. */
      chat: bind(uc.chat),
      /** The OpenAI-compatible flavour: the client sends the conversation. */
      complete: bind(uc.completeChat),
      widget: {
        get: bind(uc.getWidgetSettings),
        update: bind(uc.updateWidgetSettings),
        rotateKey: bind(uc.rotateWidgetKey),
        createIdentitySecret: bind(uc.createWidgetIdentitySecret),
      },
    },
    conversations: {
      list: bind(uc.listConversations),
      get: bind(uc.getConversation),
      delete: bind(uc.deleteConversation),
      export: bind(uc.exportConversations),
    },
    messages: {
      rate: bind(uc.rateMessage),
    },
    usage: bind(uc.getUsage),
    tenants: {
      list: bind(uc.listTenants),
      create: bind(uc.createTenant),
      delete: bind(uc.deleteTenant),
      bootstrap: bind(uc.bootstrap),
    },
  };
};

export type AtriumCore = ReturnType<typeof createCore>;
