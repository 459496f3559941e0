import { createRoute, z } from '@hono/zod-openapi';
import { AtriumError, DEFAULT_SETTINGS, DOCUMENT_STATUSES, invalid } from '@atrium/core';
import type { AppDeps } from '../http/env.js';
import { jsonBodyChecks, uploadBodyLimit, utf8JsonBody } from '../http/middleware/body-limit.js';
import { idempotent } from '../http/middleware/idempotency.js';
import { createRouter } from '../http/router.js';
import { errorResponses, IdempotencyHeaders, IdParam, jsonBody, jsonResponse, PageQuery, pageOf, security } from '../schemas/common.js';
import {
  ChunkSchema,
  chunkJson,
  CollectionSchema,
  collectionJson,
  DocumentSchema,
  documentJson,
  hitJson,
  JobSchema,
  jobJson,
  LanguageSchema,
  SearchHitSchema,
  SearchRequestSchema,
  UpdatedCollectionSchema,
} from '../schemas/knowledge.js';

const tags = ['Knowledge'];
const SpaceId = IdParam('spaceId');
const CollectionId = IdParam('collectionId');
const DocumentId = IdParam('documentId');
const problem415 = {
  description: 'Unsupported file type (detected from the bytes)',
  content: errorResponses[422].content,
};

const ChunkingInput = z
  .object({
    chunkTokens: z.number().int().min(64).max(2048),
    overlapTokens: z.number().int().min(0).max(1000),
  })
  .partial();

const TextDocument = z.object({
  title: z.string().min(1).max(300),
  text: z.string().min(1),
});
const UrlDocument = z.object({ url: z.url().max(4096), title: z.string().min(1).max(300).optional() });
const FileDocument = z.object({
  file: z.any().openapi({ type: 'string', format: 'binary', description: 'The document (PDF, DOCX, HTML, Markdown, CSV, text)' }),
  title: z.string().min(1).max(300).optional(),
});

const Accepted = z.object({ document: DocumentSchema, job: JobSchema.nullable() }).openapi('AcceptedDocument');

const routes = {
  listCollections: createRoute({
    method: 'get',
    path: '/spaces/{spaceId}/collections',
    tags,
    summary: "List a space's collections",
    security,
    request: { params: SpaceId, query: PageQuery },
    responses: { 200: jsonResponse(pageOf(CollectionSchema, 'CollectionPage'), 'A page of collections'), ...errorResponses },
  }),
  createCollection: createRoute({
    method: 'post',
    path: '/spaces/{spaceId}/collections',
    middleware: jsonBodyChecks,
    tags,
    summary: 'Create a collection (its embedding model is pinned for good)',
    description: '`language` defaults to ATRIUM_DEFAULT_LANGUAGE (english unless set).',
    security,
    request: {
      params: SpaceId,
      body: jsonBody(
        z.object({
          name: z.string().min(1).max(200),
          description: z.string().max(2000).nullable().optional(),
          embeddingModel: z.string().min(1).max(200).optional(),
          chunking: ChunkingInput.optional(),
          // Unset: ATRIUM_DEFAULT_LANGUAGE (english unless set). A described $ref loses its enum
          // in the OpenAPI document, so the descriptions live on Language and the summaries.
          language: LanguageSchema.optional(),
        }),
      ),
    },
    responses: { 201: jsonResponse(CollectionSchema, 'The new collection'), ...errorResponses },
  }),
  getCollection: createRoute({
    method: 'get',
    path: '/collections/{collectionId}',
    tags,
    summary: 'Get a collection with document counts by status',
    security,
    request: { params: CollectionId },
    responses: { 200: jsonResponse(CollectionSchema, 'The collection'), ...errorResponses },
  }),
  updateCollection: createRoute({
    method: 'patch',
    path: '/collections/{collectionId}',
    middleware: jsonBodyChecks,
    tags,
    summary: 'Update a collection (chunking applies to documents ingested afterwards)',
    description:
      "A new `language` re-indexes the collection's chunks in the background: the response's `job` (a `reindex_collection` job, followed at GET /api/v1/jobs/{jobId}); search keeps working meanwhile.",
    security,
    request: {
      params: CollectionId,
      body: jsonBody(
        z.object({
          name: z.string().min(1).max(200).optional(),
          description: z.string().max(2000).nullable().optional(),
          chunking: ChunkingInput.optional(),
          language: LanguageSchema.optional(),
        }),
      ),
    },
    responses: {
      200: jsonResponse(UpdatedCollectionSchema, 'The updated collection, with the re-index job a new language started'),
      ...errorResponses,
    },
  }),
  deleteCollection: createRoute({
    method: 'delete',
    path: '/collections/{collectionId}',
    tags,
    summary: 'Delete a collection with its documents and chunks',
    security,
    request: { params: CollectionId },
    responses: { 204: { description: 'Deleted' }, ...errorResponses },
  }),
  createDocument: createRoute({
    method: 'post',
    path: '/collections/{collectionId}/documents',
    tags,
    summary: 'Add a document: multipart `file` (+ `title`), JSON `{title, text}`, or JSON `{url}` (+ `title`); ingestion runs as a job',
    description:
      'A `{url}` is checked before anything is stored: only http(s), no credentials, and every address its host resolves to must be public ' +
      '(ATRIUM_CRAWLER_ALLOW_HOSTS opens intranet hosts). A refused URL is a 422 `url_refused` whose `errors` name the reason ' +
      '(`scheme`, `address`, `dns`). The ingest job then fetches it (robots.txt obeyed, 10 MB and 30 s at most) and reads HTML, PDF, DOCX, ' +
      "Markdown, CSV or text; a fetch that fails fails the document with the reason in `error`. The title defaults to the page's own.",
    security,
    request: {
      params: CollectionId,
      headers: IdempotencyHeaders,
      body: {
        content: {
          'multipart/form-data': { schema: FileDocument },
          'application/json': { schema: z.union([TextDocument, UrlDocument]) },
        },
        // Not `required: true`: with it, @hono/zod-openapi runs the JSON *and* the form
        // validator on every request, so neither content type could pass. Optional, each
        // runs only for its own content type; the handler refuses any other (415).
        required: false,
      },
    },
    responses: { 202: jsonResponse(Accepted, 'Accepted; follow the job or the document status'), 415: problem415, ...errorResponses },
  }),
  listDocuments: createRoute({
    method: 'get',
    path: '/collections/{collectionId}/documents',
    tags,
    summary: "List a collection's documents",
    security,
    request: { params: CollectionId, query: PageQuery.extend({ status: z.enum(DOCUMENT_STATUSES).optional() }) },
    responses: { 200: jsonResponse(pageOf(DocumentSchema, 'DocumentPage'), 'A page of documents'), ...errorResponses },
  }),
  getDocument: createRoute({
    method: 'get',
    path: '/documents/{documentId}',
    tags,
    summary: 'Get a document and its ingestion status',
    security,
    request: { params: DocumentId },
    responses: { 200: jsonResponse(DocumentSchema, 'The document'), ...errorResponses },
  }),
  deleteDocument: createRoute({
    method: 'delete',
    path: '/documents/{documentId}',
    tags,
    summary: 'Delete a document and its chunks',
    security,
    request: { params: DocumentId },
    responses: { 204: { description: 'Deleted' }, ...errorResponses },
  }),
  retryDocument: createRoute({
    method: 'post',
    path: '/documents/{documentId}/retry',
    tags,
    summary: 'Ingest a failed document again (from its stored bytes, or its URL fetched anew)',
    description:
      'Only a `failed` document can be retried: anything else is a 409 `document_not_failed`. A failed document whose content another ' +
      'document of the collection holds now is a 409 `document_duplicate` naming it; a crawled page is a 409 `document_not_retryable` ' +
      '(crawl its website again).',
    security,
    request: { params: DocumentId, headers: IdempotencyHeaders },
    responses: { 202: jsonResponse(Accepted, 'Queued again; follow the job or the document status'), ...errorResponses },
  }),
  listChunks: createRoute({
    method: 'get',
    path: '/documents/{documentId}/chunks',
    tags,
    summary: "A document's chunks in order",
    security,
    request: { params: DocumentId, query: PageQuery },
    responses: { 200: jsonResponse(pageOf(ChunkSchema, 'ChunkPage'), 'A page of chunks'), ...errorResponses },
  }),
  search: createRoute({
    method: 'post',
    path: '/collections/{collectionId}/search',
    middleware: jsonBodyChecks,
    tags,
    summary: 'Search a collection (hybrid by default: vector + full text, fused by reciprocal rank)',
    security,
    request: { params: CollectionId, body: jsonBody(SearchRequestSchema) },
    responses: {
      200: jsonResponse(z.object({ data: z.array(SearchHitSchema) }).openapi('SearchResults'), 'Best chunks first'),
      ...errorResponses,
    },
  }),
  getJob: createRoute({
    method: 'get',
    path: '/jobs/{jobId}',
    tags,
    summary: "A background job's status and progress",
    security,
    request: { params: IdParam('jobId') },
    responses: { 200: jsonResponse(JobSchema, 'The job'), ...errorResponses },
  }),
};

export const knowledgeRoutes = ({ core, maxUploadBytes }: AppDeps) =>
  createRouter()
    .openapi(routes.listCollections, async (c) => {
      const page = await core.collections.list(c.get('actor'), c.req.valid('param').spaceId, c.req.valid('query'));
      return c.json({ data: page.data.map(collectionJson), nextCursor: page.nextCursor }, 200);
    })
    .openapi(routes.createCollection, async (c) => {
      const created = await core.collections.create(c.get('actor'), c.req.valid('param').spaceId, c.req.valid('json'));
      return c.json(collectionJson(created), 201);
    })
    .openapi(routes.getCollection, async (c) => {
      return c.json(collectionJson(await core.collections.get(c.get('actor'), c.req.valid('param').collectionId)), 200);
    })
    .openapi(routes.updateCollection, async (c) => {
      const updated = await core.collections.update(c.get('actor'), c.req.valid('param').collectionId, c.req.valid('json'));
      return c.json({ ...collectionJson(updated), job: updated.job && jobJson(updated.job) }, 200);
    })
    .openapi(routes.deleteCollection, async (c) => {
      await core.collections.delete(c.get('actor'), c.req.valid('param').collectionId);
      return c.body(null, 204);
    })
    // Documents may be far larger than other bodies (ATRIUM_MAX_UPLOAD_MB), so this route declares its own limit.
    .openapi({ ...routes.createDocument, middleware: [uploadBodyLimit(maxUploadBytes ?? DEFAULT_SETTINGS.maxUploadBytes), utf8JsonBody, idempotent(core)] }, async (c) => {
      const { collectionId } = c.req.valid('param');
      const actor = c.get('actor');
      const contentType = (c.req.header('content-type') ?? '').toLowerCase();
      const isForm = contentType.startsWith('multipart/form-data');
      if (!isForm && !/^application\/([\w.-]+\+)?json\b/.test(contentType))
        throw new AtriumError('unsupported', 'unsupported_media_type', 'Send a multipart form with a `file`, or JSON `{title, text}` or `{url}`');
      let result;
      if (isForm) {
        // The route accepts two content types; each validated shape is narrowed here.
        const form = c.req.valid('form') as z.infer<typeof FileDocument>;
        const file: unknown = form.file;
        if (!(file instanceof Blob)) throw invalid([{ path: 'file', message: 'Attach the document as a file field named `file`' }]);
        if (file instanceof File && file.name.includes('\u0000')) throw invalid([{ path: 'file', message: 'The file name must not contain NUL (U+0000) characters' }]);
        result = await core.documents.create(actor, collectionId, {
          kind: 'file',
          bytes: new Uint8Array(await file.arrayBuffer()),
          filename: file instanceof File ? file.name : undefined,
          title: form.title,
          declaredType: file.type || undefined,
        });
      } else {
        const body = c.req.valid('json') as z.infer<typeof TextDocument> | z.infer<typeof UrlDocument>;
        result = await core.documents.create(
          actor,
          collectionId,
          'url' in body ? { kind: 'url', url: body.url, title: body.title } : { kind: 'text', title: body.title, text: body.text },
        );
      }
      return c.json({ document: documentJson(result.document), job: result.job ? jobJson(result.job) : null }, 202);
    })
    .openapi(routes.listDocuments, async (c) => {
      const { status, ...page } = c.req.valid('query');
      const result = await core.documents.list(c.get('actor'), c.req.valid('param').collectionId, page, status ? { status } : {});
      return c.json({ data: result.data.map(documentJson), nextCursor: result.nextCursor }, 200);
    })
    .openapi(routes.getDocument, async (c) => {
      return c.json(documentJson(await core.documents.get(c.get('actor'), c.req.valid('param').documentId)), 200);
    })
    .openapi(routes.deleteDocument, async (c) => {
      await core.documents.delete(c.get('actor'), c.req.valid('param').documentId);
      return c.body(null, 204);
    })
    .openapi({ ...routes.retryDocument, middleware: [idempotent(core)] }, async (c) => {
      const result = await core.documents.retry(c.get('actor'), c.req.valid('param').documentId);
      return c.json({ document: documentJson(result.document), job: result.job ? jobJson(result.job) : null }, 202);
    })
    .openapi(routes.listChunks, async (c) => {
      const page = await core.documents.chunks(c.get('actor'), c.req.valid('param').documentId, c.req.valid('query'));
      return c.json({ data: page.data.map(chunkJson), nextCursor: page.nextCursor }, 200);
    })
    .openapi(routes.search, async (c) => {
      const hits = await core.collections.search(c.get('actor'), c.req.valid('param').collectionId, c.req.valid('json'));
      return c.json({ data: hits.map(hitJson) }, 200);
    })
    .openapi(routes.getJob, async (c) => {
      return c.json(jobJson(await core.jobs.get(c.get('actor'), c.req.valid('param').jobId)), 200);
    });
