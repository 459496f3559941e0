import type { Conversation, ConversationFilter, Feedback, FeedbackRating, Message } from '../../domain/conversations.js';
import { forbidden, invalid, notFound } from '../../domain/errors.js';
import type { Actor } from '../../domain/identity.js';
import type { Page, PageRequest } from '../../domain/pagination.js';
import { can } from '../../domain/policy.js';
import type { TenantRepositories } from '../../ports/index.js';
import type { CoreContext } from '../context.js';
import { requireAssistant } from '../assistants/access.js';
import type { AdmittedVisitor } from '../widget/visitors.js';

/** Messages returned with a conversation; longer conversations return their latest. */
export const CONVERSATION_MESSAGE_LIMIT = 1000;

export interface ConversationWithMessages extends Conversation {
  messages: Message[];
}

/** Whose conversations a listing shows: the caller's own (default) or everyone's (space admins). */
export type ConversationScope = 'mine' | 'all';

interface ConversationAccess {
  conversation: Conversation;
  owner: boolean;
  /** The actor may delete it although it is not theirs (`conversations.deleteAll`). */
  mayDeleteOthers: boolean;
}

/**
 * Loads a conversation the actor may read: their own, or any in a space where they review
 * conversations (`conversations.readAll`). Anything else is absent (404), including
 * conversations of assistants they cannot see.
 */
const requireConversation = async (repos: TenantRepositories, actor: Actor, conversationId: string): Promise<ConversationAccess> => {
  const conversation = await repos.conversations.get(conversationId);
  if (!conversation) throw notFound('Conversation');
  let role;
  try {
    ({ role } = await requireAssistant(repos, actor, conversation.assistantId, 'use'));
  } catch (error) {
    if (error instanceof Error && 'kind' in error && error.kind === 'not_found') throw notFound('Conversation');
    throw error;
  }
  const owner = conversation.userId !== null && conversation.userId === actor.userId;
  // Assistant-scoped keys act for their assistant's users, never as space admins.
  const roles = { tenantRole: actor.tenantRole, spaceRole: role };
  const reviewer = !actor.assistantId && can(roles, 'conversations.readAll');
  if (!owner && !reviewer) throw notFound('Conversation');
  return { conversation, owner, mayDeleteOthers: !actor.assistantId && can(roles, 'conversations.deleteAll') };
};

export const listConversations = async (
  ctx: CoreContext,
  actor: Actor,
  assistantId: string,
  page: PageRequest,
  scope: ConversationScope = 'mine',
  filter: ConversationFilter = {},
): Promise<Page<Conversation>> => {
  const { repos, listed } = await requireReview(ctx, actor, assistantId, scope, filter);
  return repos.conversations.list(assistantId, page, listed);
};

/**
 * Once the actor may list conversations in this scope: the repositories, and the filter
 * as the repository takes it (`mine` narrows it to the actor's own conversations).
 */
const requireReview = async (
  ctx: CoreContext,
  actor: Actor,
  assistantId: string,
  scope: ConversationScope,
  filter: ConversationFilter,
): Promise<{ repos: TenantRepositories; listed: ConversationFilter & { userId?: string } }> => {
  if (filter.from && filter.to && filter.from.getTime() >= filter.to.getTime()) throw invalid([{ path: 'from', message: 'Must be before `to`' }]);
  const repos = ctx.store.forTenant(actor.tenantId);
  const { role } = await requireAssistant(repos, actor, assistantId, 'use');
  if (scope === 'all' && (actor.assistantId || !can({ tenantRole: actor.tenantRole, spaceRole: role }, 'conversations.readAll')))
    throw forbidden("Only space admins and editors can list everyone's conversations");
  return { repos, listed: scope === 'all' ? filter : { ...filter, userId: actor.userId } };
};

/**
 * Every conversation a listing with this scope and filter shows, newest first, each with
 * its messages: what an export streams. Access is checked before the first one is read.
 */
export const exportConversations = async (
  ctx: CoreContext,
  actor: Actor,
  assistantId: string,
  scope: ConversationScope = 'mine',
  filter: ConversationFilter = {},
): Promise<AsyncIterable<ConversationWithMessages>> => {
  const { repos, listed } = await requireReview(ctx, actor, assistantId, scope, filter);
  return (async function* () {
    let cursor: string | null = null;
    do {
      const page: Page<Conversation> = await repos.conversations.list(assistantId, { limit: EXPORT_PAGE, cursor }, listed);
      for (const conversation of page.data) yield { ...conversation, messages: await repos.messages.list(conversation.id, CONVERSATION_MESSAGE_LIMIT) };
      cursor = page.nextCursor;
    } while (cursor);
  })();
};

/** Conversations an export reads at a time. */
const EXPORT_PAGE = 100;

export const getConversation = async (ctx: CoreContext, actor: Actor, conversationId: string): Promise<ConversationWithMessages> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  const { conversation } = await requireConversation(repos, actor, conversationId);
  return { ...conversation, messages: await repos.messages.list(conversation.id, CONVERSATION_MESSAGE_LIMIT) };
};

export const deleteConversation = async (ctx: CoreContext, actor: Actor, conversationId: string): Promise<void> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  const access = await requireConversation(repos, actor, conversationId);
  // A reviewer who may read it but not delete it is told so (403), not that it is absent.
  if (!access.owner && !access.mayDeleteOthers) throw forbidden("Only space admins can delete other people's conversations");
  await repos.conversations.delete(conversationId);
};

export interface FeedbackInput {
  rating: FeedbackRating;
  comment?: string | null | undefined;
}

/** Rates an answer. Only the conversation's owner rates; rating again replaces the earlier rating. */
export const rateMessage = async (ctx: CoreContext, actor: Actor, messageId: string, input: FeedbackInput): Promise<Feedback> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  const message = await repos.messages.get(messageId);
  if (!message) throw notFound('Message');
  let access: ConversationAccess;
  try {
    access = await requireConversation(repos, actor, message.conversationId);
  } catch (error) {
    if (error instanceof Error && 'kind' in error && error.kind === 'not_found') throw notFound('Message');
    throw error;
  }
  if (!access.owner) throw forbidden('Only the person who asked can rate an answer');
  return storeFeedback(ctx, repos, message, input);
};

/** Rates an answer the rater may rate (the one who asked). Rating again replaces the earlier rating. */
const storeFeedback = (ctx: CoreContext, repos: TenantRepositories, message: Message, input: FeedbackInput): Promise<Feedback> => {
  if (message.role !== 'assistant') throw invalid([{ path: 'messageId', message: 'Only answers can be rated' }]);
  if (input.rating !== 'up' && input.rating !== 'down') throw invalid([{ path: 'rating', message: 'Must be up or down' }]);
  if (input.comment && input.comment.length > 2000) throw invalid([{ path: 'comment', message: 'Must be at most 2000 characters' }]);
  const now = ctx.clock.now();
  return repos.feedback.upsert({ messageId: message.id, rating: input.rating, comment: input.comment ?? null, createdAt: now, updatedAt: now });
};

/** A widget visitor's own conversation with the assistant their session is for; anything else is absent. */
const requireVisitorConversation = async (repos: TenantRepositories, { claims }: AdmittedVisitor, conversationId: string): Promise<Conversation> => {
  const conversation = await repos.conversations.get(conversationId);
  if (!conversation || conversation.assistantId !== claims.assistantId || conversation.visitorId !== claims.visitorId) throw notFound('Conversation');
  return conversation;
};

export const getVisitorConversation = async (ctx: CoreContext, visitor: AdmittedVisitor, conversationId: string): Promise<ConversationWithMessages> => {
  const repos = ctx.store.forTenant(visitor.claims.tenantId);
  const conversation = await requireVisitorConversation(repos, visitor, conversationId);
  return { ...conversation, messages: await repos.messages.list(conversation.id, CONVERSATION_MESSAGE_LIMIT) };
};

/** A widget visitor rates an answer in one of their own conversations. */
export const rateAsVisitor = async (ctx: CoreContext, visitor: AdmittedVisitor, messageId: string, input: FeedbackInput): Promise<Feedback> => {
  const repos = ctx.store.forTenant(visitor.claims.tenantId);
  const message = await repos.messages.get(messageId);
  if (!message) throw notFound('Message');
  try {
    await requireVisitorConversation(repos, visitor, message.conversationId);
  } catch {
    throw notFound('Message');
  }
  return storeFeedback(ctx, repos, message, input);
};
