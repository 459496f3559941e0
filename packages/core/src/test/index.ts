import type { Actor } from '../domain/identity.js';

/** Test helpers shipped as `@atrium/core/test`. */
export const actorFor = (user: { id: string; tenantId: string; role: Actor['tenantRole'] }): Actor => ({
  tenantId: user.tenantId,
  userId: user.id,
  tenantRole: user.role,
  via: 'access_token',
});
export { testDatabaseTargets, type TestDatabaseTarget } from './databases.js';
export { testRedis, testRedisUrl, type TestRedis } from './redis.js';
export {
  startFakeOpenAI,
  splitIntoChunks,
  type FakeOpenAI,
  type FakeOpenAIBehavior,
  type FakeOpenAIRequest,
  type FakeAnswerOptions,
  type FakeChatCompletionBody,
  type StartFakeOpenAIOptions,
} from './fake-openai-server.js';
export { mockChatModel, mockChatModels, textToChatParts, type MockChatModel, type MockChatModelOptions } from './mock-chat-model.js';
export { fakeWebFetcher, type FakeWebFetcher, type FakeWebFetcherOptions, type FakeWebPage } from './fake-web-fetcher.js';
export {
  startLocalSite,
  type LocalSite,
  type LocalSiteHandler,
  type LocalSiteOptions,
  type LocalSiteRequest,
  type LocalPages,
} from './local-site.js';
