import type { Principal } from '@bastion-mcp/auth';
import type { ToolAnnotations } from '@modelcontextprotocol/server';

/** What the policy needs to know about a tool; a core `Tool` fits as it is. */
export interface PolicyTool {
  readonly name: string;
  readonly toolset: string;
  readonly annotations: Pick<ToolAnnotations, 'readOnlyHint'>;
  readonly scopes: readonly string[];
  /**
   * The argument names the tool's input declares. When given, a constraint on an argument the
   * tool does not declare is skipped (the tool cannot receive it); when absent, a constrained
   * argument must always be present.
   */
  readonly inputProperties?: readonly string[];
}

export type PolicyPrincipal = Pick<Principal, 'id' | 'scopes' | 'subject'>;

export type CallDecision =
  | { readonly allowed: true; readonly rules: readonly string[] }
  | {
      readonly allowed: false;
      /** Which rule refused, for the audit log: `default`, a rule's name or `rules[i]`, `scopes`, `header:x-bastion-tools`. */
      readonly rule: string;
      /** Safe to show the caller: names the tool or argument and what is allowed; never echoes argument values. */
      readonly reason: string;
      /** The principal may not see the tool at all; refuse it the same way as an unknown tool. */
      readonly hidden: boolean;
    };

export interface PrincipalPolicy {
  readonly principalId: string;
  /** The rules that apply to this principal, in the order they are checked. */
  readonly rules: readonly string[];
  /**
   * Whether anything narrows this principal beyond its scopes (a policy rule, the default, a
   * header, or no rule matching). Resources and prompts that map to no tool are refused then.
   */
  readonly restricted: boolean;
  /** Whether tools/list shows the tool: the principal's scopes cover it and every rule allows it. */
  toolVisible(tool: PolicyTool): boolean;
  /** The decision for one call, after visibility: every argument constraint that applies must pass. */
  checkCall(tool: PolicyTool, args: unknown): CallDecision;
}

export interface Policy {
  /** Where the policy came from (a file path), or undefined for the built-in unrestricted policy. */
  readonly source: string | undefined;
  forPrincipal(principal: PolicyPrincipal): PrincipalPolicy;
  /**
   * Throws ConfigError for every tool, toolset or argument the policy names that none of the
   * connector's tools has, since a typo in a deny list must never leave a tool enabled silently.
   */
  verifyTools(tools: readonly PolicyTool[]): void;
  /**
   * Throws ConfigError for every rule that names a principal without saying where it comes from
   * (`admin` rather than `apikey:admin` or `jwt:<issuer>#admin`) while more than one identity
   * source is configured: the rule would apply to whichever of them says `admin`.
   */
  verifyPrincipals(sources: IdentitySources): void;
}

/** The ways in that the server's authentication configures, each a space of principal names. */
export interface IdentitySources {
  readonly jwtIssuers: readonly string[];
  readonly introspection: boolean;
  readonly apiKeys: boolean;
}
