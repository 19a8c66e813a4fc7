export { Secret, isSecret, isSecretSchema, secret } from './secret.js';
export type { SecretOptions } from './secret.js';
export { hasScopes, isValidScope, missingScopes } from './scopes.js';
export type { Scope } from './scopes.js';
export { ANONYMOUS_PRINCIPAL, LOCAL_PRINCIPAL } from './principal.js';
export type { AuthenticationResult, HttpAuthenticator, Principal } from './principal.js';
