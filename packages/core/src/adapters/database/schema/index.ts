export { tenants } from './identity/tenants.js';
export { users } from './identity/users.js';
export { apiKeys } from './identity/api-keys.js';
export { refreshTokens } from './identity/refresh-tokens.js';
export { spaces } from './spaces/spaces.js';
export { spaceMemberships } from './spaces/memberships.js';
export { systemSettings } from './system/settings.js';
