import { createRoute, z } from '@hono/zod-openapi';
import { DOCUMENT_STATUSES } from '@atrium/core';
import type { AppDeps } from '../http/env.js';
import { jsonBodyChecks } from '../http/middleware/body-limit.js';
import { idempotent } from '../http/middleware/idempotency.js';
import { createRouter } from '../http/router.js';
import { errorResponses, IdempotencyHeaders, IdParam, jsonBody, jsonResponse, PageQuery, pageOf, security } from '../schemas/common.js';
import { DocumentSchema, documentJson, JobSchema, jobJson } from '../schemas/knowledge.js';
import { CrawlRunSchema, crawlRunJson, CreateWebsiteSchema, UpdateWebsiteSchema, WebsiteSchema, websiteJson } from '../schemas/websites.js';

const tags = ['Websites'];
const SpaceId = IdParam('spaceId');
const WebsiteId = IdParam('websiteId');
const RunParams = z.object({
  websiteId: z.string().min(1).openapi({ param: { name: 'websiteId', in: 'path' } }),
  runId: z.string().min(1).openapi({ param: { name: 'runId', in: 'path' } }),
});

const CrawlStarted = z.object({ run: CrawlRunSchema, job: JobSchema }).openapi('CrawlStarted');

const routes = {
  list: createRoute({
    method: 'get',
    path: '/spaces/{spaceId}/websites',
    tags,
    summary: "List a space's websites, each with its latest crawl run",
    security,
    request: { params: SpaceId, query: PageQuery },
    responses: { 200: jsonResponse(pageOf(WebsiteSchema, 'WebsitePage'), 'A page of websites'), ...errorResponses },
  }),
  create: createRoute({
    method: 'post',
    path: '/spaces/{spaceId}/websites',
    tags,
    summary: 'Add a website (with a collection of its own for its pages); crawl it with POST /websites/{websiteId}/crawl',
    description:
      'The URL is checked first: schemes other than http(s), and hosts resolving to private, loopback, link-local or metadata addresses, are refused with a 422 naming the reason. A `daily` or `weekly` schedule starts its first crawl right away.',
    security,
    request: { params: SpaceId, headers: IdempotencyHeaders, body: jsonBody(CreateWebsiteSchema) },
    responses: { 201: jsonResponse(WebsiteSchema, 'The new website'), ...errorResponses },
  }),
  get: createRoute({
    method: 'get',
    path: '/websites/{websiteId}',
    tags,
    summary: 'Get a website with its latest crawl run',
    security,
    request: { params: WebsiteId },
    responses: { 200: jsonResponse(WebsiteSchema, 'The website'), ...errorResponses },
  }),
  update: createRoute({
    method: 'patch',
    path: '/websites/{websiteId}',
    middleware: jsonBodyChecks,
    tags,
    summary: 'Update a website (settings apply from the next crawl; a schedule at once)',
    security,
    request: { params: WebsiteId, body: jsonBody(UpdateWebsiteSchema) },
    responses: { 200: jsonResponse(WebsiteSchema, 'The updated website'), ...errorResponses },
  }),
  delete: createRoute({
    method: 'delete',
    path: '/websites/{websiteId}',
    tags,
    summary: 'Delete a website with its collection, pages and runs (a running crawl stops)',
    security,
    request: { params: WebsiteId },
    responses: { 204: { description: 'Deleted' }, ...errorResponses },
  }),
  crawl: createRoute({
    method: 'post',
    path: '/websites/{websiteId}/crawl',
    tags,
    summary: 'Start a crawl now; follow it at GET /websites/{websiteId}/runs (409 while one is queued or running)',
    security,
    request: { params: WebsiteId, headers: IdempotencyHeaders },
    responses: { 202: jsonResponse(CrawlStarted, 'The run and its `crawl_website` job'), ...errorResponses },
  }),
  runs: createRoute({
    method: 'get',
    path: '/websites/{websiteId}/runs',
    tags,
    summary: "A website's crawl runs, newest first, with live progress while one runs",
    security,
    request: { params: WebsiteId, query: PageQuery },
    responses: { 200: jsonResponse(pageOf(CrawlRunSchema, 'CrawlRunPage'), 'A page of runs'), ...errorResponses },
  }),
  cancel: createRoute({
    method: 'post',
    path: '/websites/{websiteId}/runs/{runId}/cancel',
    tags,
    summary: 'Stop a crawl: a queued run at once, a running one after the page it is on (an ended run is returned as it is)',
    security,
    request: { params: RunParams },
    responses: { 200: jsonResponse(CrawlRunSchema, 'The run, cancelled or asked to stop'), ...errorResponses },
  }),
  documents: createRoute({
    method: 'get',
    path: '/websites/{websiteId}/documents',
    tags,
    summary: "The crawled pages: documents of the website's collection (`source` is the page URL)",
    security,
    request: { params: WebsiteId, query: PageQuery.extend({ status: z.enum(DOCUMENT_STATUSES).optional() }) },
    responses: { 200: jsonResponse(pageOf(DocumentSchema, 'WebsiteDocumentPage'), 'A page of documents'), ...errorResponses },
  }),
};

export const websiteRoutes = ({ core }: AppDeps) =>
  createRouter()
    .openapi(routes.list, async (c) => {
      const page = await core.websites.list(c.get('actor'), c.req.valid('param').spaceId, c.req.valid('query'));
      return c.json({ data: page.data.map(websiteJson), nextCursor: page.nextCursor }, 200);
    })
    .openapi({ ...routes.create, middleware: [...jsonBodyChecks, idempotent(core)] }, async (c) => {
      const website = await core.websites.create(c.get('actor'), c.req.valid('param').spaceId, c.req.valid('json'));
      return c.json(websiteJson(website), 201);
    })
    .openapi(routes.get, async (c) => {
      return c.json(websiteJson(await core.websites.get(c.get('actor'), c.req.valid('param').websiteId)), 200);
    })
    .openapi(routes.update, async (c) => {
      const website = await core.websites.update(c.get('actor'), c.req.valid('param').websiteId, c.req.valid('json'));
      return c.json(websiteJson(website), 200);
    })
    .openapi(routes.delete, async (c) => {
      await core.websites.delete(c.get('actor'), c.req.valid('param').websiteId);
      return c.body(null, 204);
    })
    .openapi({ ...routes.crawl, middleware: [idempotent(core)] }, async (c) => {
      const { run, job } = await core.websites.crawl(c.get('actor'), c.req.valid('param').websiteId);
      return c.json({ run: crawlRunJson(run), job: jobJson(job) }, 202);
    })
    .openapi(routes.runs, async (c) => {
      const page = await core.websites.runs.list(c.get('actor'), c.req.valid('param').websiteId, c.req.valid('query'));
      return c.json({ data: page.data.map(crawlRunJson), nextCursor: page.nextCursor }, 200);
    })
    .openapi(routes.cancel, async (c) => {
      const { websiteId, runId } = c.req.valid('param');
      return c.json(crawlRunJson(await core.websites.runs.cancel(c.get('actor'), websiteId, runId)), 200);
    })
    .openapi(routes.documents, async (c) => {
      const { status, ...page } = c.req.valid('query');
      const result = await core.websites.documents(c.get('actor'), c.req.valid('param').websiteId, page, status ? { status } : {});
      return c.json({ data: result.data.map(documentJson), nextCursor: result.nextCursor }, 200);
    });
