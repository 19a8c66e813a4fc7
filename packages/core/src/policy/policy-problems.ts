import type { z } from 'zod';
import type { ConfigProblem } from '../errors.js';
import { RESERVED_RULE_NAMES } from './policy-schema.js';

export const POLICY_SETTING = 'BASTION_POLICY';

export function policyProblem(source: string, path: string, message: string): ConfigProblem {
  return { setting: `${POLICY_SETTING} (${source})${path ? ` ${path}` : ''}`, message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The path as the user wrote it: shorthands are expanded before validation (`[a]` into
 * `{ allow: [a] }`, `a` into `[a]`), so their synthetic steps are dropped again here.
 */
export function displayPath(raw: unknown, path: readonly PropertyKey[]): string {
  let text = '';
  let current: unknown = raw;
  for (const step of path) {
    if (step === 'allow' && (Array.isArray(current) || (typeof current !== 'object' && current !== undefined))) continue;
    if (typeof step === 'number') {
      if (!Array.isArray(current)) continue;
      text += `[${step}]`;
      current = current[step];
      continue;
    }
    const name = String(step);
    text += /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `${text ? '.' : ''}${name}` : `[${JSON.stringify(name)}]`;
    current = isRecord(current) && Object.hasOwn(current, name) ? current[name] : undefined;
  }
  return text;
}

/** One problem per bad field; an object with several unknown fields gives one per field. */
export function schemaProblems(source: string, raw: unknown, issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const field of issue.keys) {
        problems.push(policyProblem(source, displayPath(raw, [...issue.path, field]), `unknown field; ${issue.message}`));
      }
    } else {
      problems.push(policyProblem(source, displayPath(raw, issue.path), issue.message));
    }
  }
  return problems;
}

/** Checked on the raw document so they are reported even when other fields are invalid. */
export function duplicateRuleNames(source: string, raw: unknown): ConfigProblem[] {
  if (!isRecord(raw) || !Array.isArray(raw.rules)) return [];
  const seen = new Map<string, number>();
  const problems: ConfigProblem[] = [];
  raw.rules.forEach((rule: unknown, index) => {
    const name = isRecord(rule) ? rule.name : undefined;
    if (typeof name !== 'string' || RESERVED_RULE_NAMES.has(name)) return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, index);
    else problems.push(policyProblem(source, `rules[${index}].name`, `duplicates the name of rules[${first}]; rule names must be unique`));
  });
  return problems;
}
