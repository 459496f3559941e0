import { forbidden, notFound } from '../../domain/errors.js';
import type { Assistant } from '../../domain/assistants.js';
import type { Actor } from '../../domain/identity.js';
import { can, effectiveSpaceRole } from '../../domain/policy.js';
import type { SpaceRole } from '../../domain/spaces.js';
import type { TenantRepositories } from '../../ports/index.js';

/** What the caller wants to do with an assistant. */
export type AssistantIntent = 'use' | 'write';

export interface AssistantAccess {
  assistant: Assistant;
  role: SpaceRole;
}

/**
 * Loads an assistant for an intent. Absent, in a space the actor cannot see, a draft
 * the actor may not read, or another assistant than an assistant-scoped key's: all
 * answer 404, so ids do not leak. Visible but not writable by this actor: 403.
 */
export const requireAssistant = async (
  repos: TenantRepositories,
  actor: Actor,
  assistantId: string,
  intent: AssistantIntent,
): Promise<AssistantAccess> => {
  if (actor.assistantId && actor.assistantId !== assistantId) throw notFound('Assistant');
  // One query for the assistant and the actor's membership: this runs before every answer.
  const found = await repos.assistants.getForUser(assistantId, actor.userId);
  if (!found) throw notFound('Assistant');
  const { assistant, membershipRole } = found;
  // The space exists (assistants go with it); one the actor cannot see hides its assistants.
  const role = effectiveSpaceRole(actor.tenantRole, membershipRole);
  if (!role) throw notFound('Assistant');
  const subject = { tenantRole: actor.tenantRole, spaceRole: membershipRole };
  if (!can(subject, 'assistants.use')) throw forbidden();
  if (!assistant.published && !can(subject, 'assistants.readDrafts')) throw notFound('Assistant');
  if (intent === 'write') {
    if (actor.assistantId) throw forbidden('An assistant-scoped API key can chat with its assistant but not change it');
    if (!can(subject, 'assistants.write')) throw forbidden();
  }
  return { assistant, role };
};

/** Whether an actor may chat with an assistant it found through a listing. */
export const mayUse = (actor: Actor, assistant: Assistant, membershipRole: SpaceRole | null): boolean => {
  if (actor.assistantId && actor.assistantId !== assistant.id) return false;
  const subject = { tenantRole: actor.tenantRole, spaceRole: membershipRole };
  return can(subject, 'assistants.use') && (assistant.published || can(subject, 'assistants.readDrafts'));
};
