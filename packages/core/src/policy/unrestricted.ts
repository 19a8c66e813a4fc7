import { createPrincipalPolicy } from './principal-policy.js';
import type { Policy, PolicyPrincipal } from './types.js';

/** Without a policy file: whatever the principal's scopes cover is allowed. */
export const unrestrictedPolicy: Policy = Object.freeze({
  source: undefined,
  forPrincipal: (principal: PolicyPrincipal) => createPrincipalPolicy(principal, []),
  verifyTools: () => undefined,
  verifyPrincipals: () => undefined,
});
