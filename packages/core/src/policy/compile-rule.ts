import { argumentProblem, compileConstraint, constraintApplies } from './argument-constraints.js';
import type { ArgumentConstraint } from './argument-constraints.js';
import { compileGlobs } from './glob.js';
import type { Matcher } from './glob.js';
import { constraintKind } from './policy-schema.js';
import type { PolicyRule, PolicyRuleBody } from './policy-schema.js';
import { listPatterns } from './restriction.js';
import type { Restriction } from './restriction.js';
import { PRINCIPAL_ID_PREFIXES } from '@bastion-mcp/auth';
import type { PolicyPrincipal } from './types.js';

/** A name the file uses, kept with where it is written so `verifyTools` can point at typos. */
export interface PolicyReference {
  readonly path: string;
  readonly what: 'tool' | 'toolset' | 'argument';
  readonly pattern: string;
  readonly matches: Matcher;
  /** For arguments: the tool key they sit under. */
  readonly toolMatches?: Matcher;
}

/** A principal pattern that says no kind (`admin`, not `apikey:admin`), with where it is written. */
export interface BarePrincipal {
  readonly path: string;
  readonly rule: string;
  readonly pattern: string;
}

export interface CompiledRule {
  readonly restriction: Restriction;
  readonly references: readonly PolicyReference[];
  readonly barePrincipals: readonly BarePrincipal[];
  /** Undefined for `default`, which applies to everyone. */
  readonly selects?: (principal: PolicyPrincipal) => boolean;
}

interface PatternList {
  readonly patterns: readonly string[];
  readonly matches: Matcher;
}

function patternList(patterns: readonly string[] | undefined): PatternList | undefined {
  return patterns === undefined ? undefined : { patterns, matches: compileGlobs(patterns, 'name') };
}

function key(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

function references(body: PolicyRuleBody, at: string): PolicyReference[] {
  const found: PolicyReference[] = [];
  const add = (path: string, what: PolicyReference['what'], pattern: string, toolMatches?: Matcher) =>
    found.push({ path, what, pattern, matches: compileGlobs([pattern], 'name'), ...(toolMatches ? { toolMatches } : {}) });
  body.tools?.allow?.forEach((pattern, index) => add(`${at}.tools.allow[${index}]`, 'tool', pattern));
  body.tools?.deny?.forEach((pattern, index) => add(`${at}.tools.deny[${index}]`, 'tool', pattern));
  body.toolsets?.forEach((pattern, index) => add(`${at}.toolsets[${index}]`, 'toolset', pattern));
  for (const [toolPattern, argumentsOfTool] of Object.entries(body.arguments ?? {})) {
    const toolPath = `${at}.arguments${key(toolPattern)}`;
    add(toolPath, 'tool', toolPattern);
    const toolMatches = compileGlobs([toolPattern], 'name');
    for (const argument of Object.keys(argumentsOfTool)) {
      add(`${toolPath}${key(argument)}`, 'argument', argument, toolMatches);
    }
  }
  return found;
}

function compileBody(body: PolicyRuleBody, id: string, label: string): Restriction {
  const allow = patternList(body.tools?.allow);
  const deny = patternList(body.tools?.deny);
  const toolsets = patternList(body.toolsets);
  const readOnly = body.readOnly === true;
  const constraints: ArgumentConstraint[] = [];
  for (const [toolPattern, argumentsOfTool] of Object.entries(body.arguments ?? {})) {
    for (const [argument, constraint] of Object.entries(argumentsOfTool)) {
      constraints.push(compileConstraint(toolPattern, argument, constraintKind(constraint.kind, constraint.allow), constraint.allow));
    }
  }
  return {
    id,
    refuseTool(tool) {
      if (deny?.matches(tool.name)) return `tool ${tool.name} is denied (${label}, tools.deny)`;
      if (allow && !allow.matches(tool.name)) {
        return `tool ${tool.name} is not among the allowed tools (${label}, tools.allow: ${listPatterns(allow.patterns)})`;
      }
      if (readOnly && tool.annotations.readOnlyHint !== true) {
        return `tool ${tool.name} can change state and only read-only tools are allowed (${label}, readOnly)`;
      }
      if (toolsets && !toolsets.matches(tool.toolset)) {
        return `tool ${tool.name} is in toolset ${tool.toolset}, which is not allowed (${label}, toolsets: ${listPatterns(toolsets.patterns)})`;
      }
      return undefined;
    },
    refuseCall(tool, args) {
      for (const constraint of constraints) {
        if (!constraintApplies(constraint, tool)) continue;
        const problem = argumentProblem(constraint, args, label);
        if (problem) return problem;
      }
      return undefined;
    },
  };
}

export function compileDefault(body: PolicyRuleBody): CompiledRule {
  return { restriction: compileBody(body, 'default', 'policy default'), references: references(body, 'default'), barePrincipals: [] };
}

export function isQualifiedPrincipal(pattern: string): boolean {
  return PRINCIPAL_ID_PREFIXES.some((prefix) => pattern.startsWith(prefix));
}

/**
 * Qualified patterns (`apikey:ci-*`, `jwt:https://idp.example.com#svc-*`) are matched against the
 * principal's id; bare ones against the name its credential states, which is only unambiguous
 * with a single identity source (Policy.verifyPrincipals refuses them otherwise).
 */
function principalMatcher(patterns: readonly string[] | undefined): ((principal: PolicyPrincipal) => boolean) | undefined {
  if (patterns === undefined) return undefined;
  const qualified = compileGlobs(patterns.filter(isQualifiedPrincipal), 'name');
  const bare = compileGlobs(patterns.filter((pattern) => !isQualifiedPrincipal(pattern)), 'name');
  return (principal) => qualified(principal.id) || bare(principal.subject ?? principal.id);
}

export function compileRule(rule: PolicyRule, index: number): CompiledRule {
  const id = rule.name ?? `rules[${index}]`;
  const principals = principalMatcher(rule.match.principal);
  const scopes = patternList(rule.match.scope);
  return {
    restriction: compileBody(rule, id, `policy rule ${id}`),
    references: references(rule, `rules[${index}]`),
    barePrincipals: (rule.match.principal ?? []).flatMap((pattern, at) =>
      isQualifiedPrincipal(pattern) ? [] : [{ path: `rules[${index}].match.principal[${at}]`, rule: id, pattern }],
    ),
    selects: (principal) =>
      (principals === undefined || principals(principal)) &&
      (scopes === undefined || principal.scopes.some((scope) => scopes.matches(scope))),
  };
}
