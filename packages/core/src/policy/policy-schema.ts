/**
 * The policy file (`BASTION_POLICY`), YAML or JSON. docs/policy-format.md has the full guide.
 *
 *   version: 1
 *   default:                          # optional: applies to every principal
 *     tools: { deny: [drop_*] }
 *   rules:                            # optional: each applies to the principals it matches
 *     - name: services                # optional; reported as the deciding rule in the audit log
 *       match:                        # principal ids and/or granted scopes (both must match if both given)
 *         principal: [svc-*, ci-bot]  # exact or glob, one or a list
 *         scope: reports:read         # a scope the principal was granted, exact or glob
 *       tools:
 *         allow: [list_*, query]      # only these (names or globs)
 *         deny: [query_admin]         # never these; deny wins over allow
 *       readOnly: true                # only tools annotated readOnlyHint: true
 *       toolsets: [reports]           # only tools of these toolsets
 *       arguments:                    # per tool (name or glob), per argument: the allowed values
 *         query:
 *           database: [analytics, reporting]
 *         read_file:
 *           path: ["/srv/data/**"]    # a pattern starting with `/` or containing `**` is a path
 *         "*":
 *           repo: { kind: name, allow: ["acme/*"] }
 *
 * Every rule that matches a principal applies, together with `default`; a call must pass all of
 * them, so a rule can only narrow. When the file has no `default` and no rule matches, the
 * principal may use nothing. Unknown fields are errors, so a typo cannot silently drop a limit.
 */
import { z } from 'zod';
import { globProblem } from './glob.js';
import type { GlobKind } from './glob.js';

const MAX_PATTERN_LENGTH = 4096;
export const RESERVED_RULE_NAMES = new Set(['default', 'scopes', 'no-rule']);
const RULE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const TOOL_PATTERN = /^[a-z0-9_*?]{1,128}$/;
const ARGUMENT_NAME = /^[A-Za-z_$][A-Za-z0-9_$-]{0,127}$/;

/** Objects reject unknown fields and say which fields they take. */
function strict<Shape extends z.core.$ZodLooseShape>(shape: Shape, what: string) {
  const fields = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return `fields allowed here: ${fields}`;
      if (issue.code === 'invalid_type') return `must be ${what}`;
      return undefined;
    },
  });
}

/** A single value is accepted where a list is expected. */
function oneOrMany<Item extends z.ZodType>(item: Item, what: string) {
  return z.preprocess(
    (value) => (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? [value] : value),
    z.array(item, { error: `must be ${what}, or a list of them` }),
  );
}

function glob(kind: GlobKind, what: string, extra?: { pattern: RegExp; message: string }) {
  return z
    .string({ error: `must be ${what} (a string)` })
    .max(MAX_PATTERN_LENGTH, { error: `must be at most ${MAX_PATTERN_LENGTH} characters` })
    .superRefine((value, context) => {
      const problem = globProblem(value, kind) ?? (extra && !extra.pattern.test(value) ? extra.message : undefined);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    });
}

const toolPattern = glob('name', 'a tool name or glob', {
  pattern: TOOL_PATTERN,
  message: 'must be a tool name or glob: lowercase letters, digits, `_`, and the wildcards `*` and `?`',
});
const toolsetPattern = glob('name', 'a toolset name or glob');
const principalPattern = glob('name', 'a principal id or glob');
const scopePattern = glob('name', 'a scope or glob');

/** A path when declared so, or when a pattern looks like one (absolute, or using `**`). */
export function constraintKind(declared: GlobKind | undefined, patterns: readonly string[]): GlobKind {
  if (declared) return declared;
  return patterns.some((pattern) => pattern.startsWith('/') || pattern.includes('**')) ? 'path' : 'name';
}

const allowedValue = z.preprocess(
  (value) => (typeof value === 'number' || typeof value === 'boolean' ? String(value) : value),
  z
    .string({ error: 'must be an allowed value or glob (a string)' })
    .max(MAX_PATTERN_LENGTH, { error: `must be at most ${MAX_PATTERN_LENGTH} characters` }),
);

const constraintObject = strict(
  {
    kind: z.enum(['name', 'path'], { error: 'must be name or path' }).optional(),
    allow: oneOrMany(allowedValue, 'an allowed value or glob'),
  },
  'a list of allowed values, or { kind, allow }',
).superRefine((constraint, context) => {
  const kind = constraintKind(constraint.kind, constraint.allow);
  constraint.allow.forEach((pattern, index) => {
    const problem = globProblem(pattern, kind);
    if (problem) context.addIssue({ code: 'custom', path: ['allow', index], message: kind === 'path' ? `${problem} (a path pattern)` : problem });
  });
});

/** `[a, b]` is short for `{ allow: [a, b] }`. */
const constraint = z.preprocess(
  (value) =>
    Array.isArray(value) || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? { allow: value }
      : value,
  constraintObject,
);

const argumentName = z.string().regex(ARGUMENT_NAME);
const toolKey = z.string().regex(TOOL_PATTERN);

const ruleBody = {
  tools: strict(
    {
      allow: oneOrMany(toolPattern, 'a tool name or glob').optional(),
      deny: oneOrMany(toolPattern, 'a tool name or glob').optional(),
    },
    'an object with allow and/or deny',
  ).optional(),
  readOnly: z.boolean({ error: 'must be true or false' }).optional(),
  toolsets: oneOrMany(toolsetPattern, 'a toolset name or glob').optional(),
  arguments: z
    .record(
      toolKey,
      z.record(argumentName, constraint, {
        error: (issue) =>
          issue.code === 'invalid_key'
            ? 'is not an argument name: a letter, `_` or `$`, then letters, digits, `_`, `$`, `-`'
            : 'must map argument names to their allowed values',
      }),
      {
        error: (issue) =>
          issue.code === 'invalid_key'
            ? 'is not a tool name or glob: lowercase letters, digits, `_`, and the wildcards `*` and `?`'
            : 'must map tool names (or globs) to argument constraints',
      },
    )
    .optional(),
};

const match = strict(
  {
    principal: oneOrMany(principalPattern, 'a principal id or glob').optional(),
    scope: oneOrMany(scopePattern, 'a scope or glob').optional(),
  },
  'an object with principal and/or scope (whom the rule applies to)',
).refine((value) => value.principal !== undefined || value.scope !== undefined, {
  error: 'name a principal or a scope (or both) to say whom the rule applies to',
});

const rule = strict(
  {
    name: z
      .string({ error: 'must be a string' })
      .regex(RULE_NAME, { error: 'must start with a letter and hold at most 64 of [A-Za-z0-9_.-]' })
      .refine((name) => !RESERVED_RULE_NAMES.has(name), { error: `is reserved; avoid ${[...RESERVED_RULE_NAMES].join(', ')}` })
      .optional(),
    match,
    ...ruleBody,
  },
  'a rule: an object with match and what it restricts',
);

export const policySchema = strict(
  {
    version: z.literal(1, { error: 'must be 1 (the policy format version)' }),
    default: strict(ruleBody, 'an object with tools, readOnly, toolsets and/or arguments').optional(),
    rules: z.array(rule, { error: 'must be a list of rules' }).default([]),
  },
  'an object with version, default and rules',
);

export type PolicyDocument = z.output<typeof policySchema>;
export type PolicyRuleBody = NonNullable<PolicyDocument['default']>;
export type PolicyRule = PolicyDocument['rules'][number];
