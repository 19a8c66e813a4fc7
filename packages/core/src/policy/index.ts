export { loadPolicy, loadPolicyFile } from './load-policy.js';
export { unrestrictedPolicy } from './unrestricted.js';
export type { LoadPolicyOptions } from './load-policy.js';
export { narrowByHeaders, READ_ONLY_HEADER, TOOLS_HEADER, TOOLSETS_HEADER } from './header-narrowing.js';
export type { HeaderNarrowing, RequestHeaders } from './header-narrowing.js';
export { compileGlob, globProblem } from './glob.js';
export type { GlobKind, Matcher } from './glob.js';
export type { CallDecision, IdentitySources, Policy, PolicyPrincipal, PolicyTool, PrincipalPolicy } from './types.js';
