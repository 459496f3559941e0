export const SPACE_ROLES = ['admin', 'editor', 'viewer'] as const;
export type SpaceRole = (typeof SPACE_ROLES)[number];

export interface Space {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Membership {
  spaceId: string;
  userId: string;
  role: SpaceRole;
  createdAt: Date;
  updatedAt: Date;
}
