import { createHmac } from 'node:crypto';
import { call, createSpace, type TenantFixture } from '../helpers.js';
import type { AtriumApp } from '../../src/index.js';

type Json = Record<string, any>;

/** A published assistant in a new space of `tenant`, named `name`. */
export const createPublishedAssistant = async (app: AtriumApp, tenant: TenantFixture, name = 'Shop helper'): Promise<string> => {
  const space = await createSpace(app, tenant.token);
  const created = await call<Json>(app, 'POST', `/api/v1/spaces/${space.id}/assistants`, { token: tenant.token, json: { name, published: true } });
  if (created.status !== 201) throw new Error(`creating an assistant failed: ${created.status} ${created.text}`);
  return created.body.id;
};

/** Replaces an assistant's widget settings (PUT) as `tenant`'s owner. */
export const putWidget = (app: AtriumApp, tenant: TenantFixture, assistantId: string, json: Json) =>
  call<Json>(app, 'PUT', `/api/v1/assistants/${assistantId}/widget`, { token: tenant.token, json });

/** An HS256 JWT, signed the way a host site's backend would, without Atrium's libraries. */
export const signIdentity = (secret: string, claims: Record<string, unknown>): string => {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
};
