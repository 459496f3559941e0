import { z } from '@hono/zod-openapi';
import { SPACE_ROLES, type Membership, type Space, type SpaceView } from '@atrium/core';
import { iso } from './common.js';

export const SpaceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    role: z.enum(SPACE_ROLES).optional().openapi({ description: "The caller's role in this space" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Space');

export const MemberSchema = z
  .object({
    spaceId: z.string(),
    userId: z.string(),
    role: z.enum(SPACE_ROLES),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Member');

export const spaceJson = (s: Space | SpaceView) => ({
  id: s.id,
  name: s.name,
  description: s.description,
  ...('role' in s && { role: s.role }),
  createdAt: iso(s.createdAt),
  updatedAt: iso(s.updatedAt),
});

export const memberJson = (m: Membership) => ({
  spaceId: m.spaceId,
  userId: m.userId,
  role: m.role,
  createdAt: iso(m.createdAt),
  updatedAt: iso(m.updatedAt),
});
