import { createRoute, z } from '@hono/zod-openapi';
import { SPACE_ROLES } from '@atrium/core';
import type { AppDeps } from '../http/env.js';
import { jsonBodyChecks } from '../http/middleware/body-limit.js';
import { createRouter } from '../http/router.js';
import { errorResponses, IdParam, jsonBody, jsonResponse, PageQuery, pageOf, security } from '../schemas/common.js';
import { MemberSchema, memberJson, SpaceSchema, spaceJson } from '../schemas/spaces.js';

const tags = ['Spaces'];
const SpaceId = IdParam('spaceId');
const MemberParams = z.object({
  spaceId: z.string().min(1).openapi({ param: { name: 'spaceId', in: 'path' } }),
  userId: z.string().min(1).openapi({ param: { name: 'userId', in: 'path' } }),
});
const name = z.string().min(1).max(200);
const description = z.string().max(2000).nullable();
const role = z.enum(SPACE_ROLES);

const routes = {
  list: createRoute({
    method: 'get',
    path: '/spaces',
    tags,
    summary: 'List the spaces you can see',
    security,
    request: { query: PageQuery },
    responses: { 200: jsonResponse(pageOf(SpaceSchema, 'SpacePage'), 'A page of spaces'), 401: errorResponses[401], 422: errorResponses[422] },
  }),
  create: createRoute({
    method: 'post',
    path: '/spaces',
    middleware: jsonBodyChecks,
    tags,
    summary: 'Create a space; you become its admin',
    security,
    request: { body: jsonBody(z.object({ name, description: description.optional() })) },
    responses: { 201: jsonResponse(SpaceSchema, 'The new space'), ...errorResponses },
  }),
  get: createRoute({
    method: 'get',
    path: '/spaces/{spaceId}',
    tags,
    summary: 'Get a space',
    security,
    request: { params: SpaceId },
    responses: { 200: jsonResponse(SpaceSchema, 'The space'), 401: errorResponses[401], 404: errorResponses[404] },
  }),
  update: createRoute({
    method: 'patch',
    path: '/spaces/{spaceId}',
    middleware: jsonBodyChecks,
    tags,
    summary: 'Update a space (space admins)',
    security,
    request: { params: SpaceId, body: jsonBody(z.object({ name, description }).partial()) },
    responses: { 200: jsonResponse(SpaceSchema, 'The updated space'), ...errorResponses },
  }),
  delete: createRoute({
    method: 'delete',
    path: '/spaces/{spaceId}',
    tags,
    summary: 'Delete a space and everything in it (space admins)',
    security,
    request: { params: SpaceId },
    responses: { 204: { description: 'Deleted' }, 401: errorResponses[401], 403: errorResponses[403], 404: errorResponses[404] },
  }),
  listMembers: createRoute({
    method: 'get',
    path: '/spaces/{spaceId}/members',
    tags,
    summary: "List a space's members",
    security,
    request: { params: SpaceId, query: PageQuery },
    responses: { 200: jsonResponse(pageOf(MemberSchema, 'MemberPage'), 'A page of members'), ...errorResponses },
  }),
  addMember: createRoute({
    method: 'post',
    path: '/spaces/{spaceId}/members',
    middleware: jsonBodyChecks,
    tags,
    summary: 'Add a member (space admins)',
    security,
    request: { params: SpaceId, body: jsonBody(z.object({ userId: z.string().min(1), role })) },
    responses: { 201: jsonResponse(MemberSchema, 'The new membership'), ...errorResponses },
  }),
  updateMember: createRoute({
    method: 'patch',
    path: '/spaces/{spaceId}/members/{userId}',
    middleware: jsonBodyChecks,
    tags,
    summary: "Change a member's role (space admins)",
    security,
    request: { params: MemberParams, body: jsonBody(z.object({ role })) },
    responses: { 200: jsonResponse(MemberSchema, 'The updated membership'), ...errorResponses },
  }),
  removeMember: createRoute({
    method: 'delete',
    path: '/spaces/{spaceId}/members/{userId}',
    tags,
    summary: 'Remove a member (space admins)',
    security,
    request: { params: MemberParams },
    responses: { 204: { description: 'Removed' }, ...errorResponses },
  }),
};

export const spaceRoutes = ({ core }: AppDeps) =>
  createRouter()
    .openapi(routes.list, async (c) => {
      const page = await core.spaces.list(c.get('actor'), c.req.valid('query'));
      return c.json({ data: page.data.map(spaceJson), nextCursor: page.nextCursor }, 200);
    })
    .openapi(routes.create, async (c) => {
      return c.json(spaceJson(await core.spaces.create(c.get('actor'), c.req.valid('json'))), 201);
    })
    .openapi(routes.get, async (c) => {
      return c.json(spaceJson(await core.spaces.get(c.get('actor'), c.req.valid('param').spaceId)), 200);
    })
    .openapi(routes.update, async (c) => {
      const space = await core.spaces.update(c.get('actor'), c.req.valid('param').spaceId, c.req.valid('json'));
      return c.json(spaceJson(space), 200);
    })
    .openapi(routes.delete, async (c) => {
      await core.spaces.delete(c.get('actor'), c.req.valid('param').spaceId);
      return c.body(null, 204);
    })
    .openapi(routes.listMembers, async (c) => {
      const page = await core.spaces.members.list(c.get('actor'), c.req.valid('param').spaceId, c.req.valid('query'));
      return c.json({ data: page.data.map(memberJson), nextCursor: page.nextCursor }, 200);
    })
    .openapi(routes.addMember, async (c) => {
      const member = await core.spaces.members.add(c.get('actor'), c.req.valid('param').spaceId, c.req.valid('json'));
      return c.json(memberJson(member), 201);
    })
    .openapi(routes.updateMember, async (c) => {
      const { spaceId, userId } = c.req.valid('param');
      const member = await core.spaces.members.update(c.get('actor'), spaceId, userId, c.req.valid('json'));
      return c.json(memberJson(member), 200);
    })
    .openapi(routes.removeMember, async (c) => {
      const { spaceId, userId } = c.req.valid('param');
      await core.spaces.members.remove(c.get('actor'), spaceId, userId);
      return c.body(null, 204);
    });
