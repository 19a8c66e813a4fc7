import { compileGlobs } from './glob.js';
import { listPatterns } from './restriction.js';
import type { Restriction } from './restriction.js';
import type { CallDecision, PolicyTool, PrincipalPolicy } from './types.js';

export const TOOLS_HEADER = 'x-bastion-tools';
export const READ_ONLY_HEADER = 'x-bastion-read-only';
export const TOOLSETS_HEADER = 'x-bastion-toolsets';

export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export type HeaderNarrowing =
  | { readonly ok: true; readonly policy: PrincipalPolicy }
  /** Answer with HTTP 400 and the message; it never echoes more than a short excerpt of the header. */
  | { readonly ok: false; readonly header: string; readonly message: string };

const MAX_ITEMS = 256;
const TOOL_ITEM = /^[a-z0-9_*?]{1,128}$/;
const TOOLSET_ITEM = /^[A-Za-z0-9_.*?-]{1,128}$/;

function headerValue(headers: RequestHeaders, name: string): string | readonly string[] | undefined {
  if (Object.hasOwn(headers, name)) return headers[name];
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function excerpt(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function parseList(name: string, raw: string | readonly string[], item: RegExp, what: string): Parsed<string[]> {
  const text = typeof raw === 'string' ? raw : raw.join(',');
  const items = text.split(',').map((part) => part.trim());
  const usage = `${name} must be a comma-separated list of ${what} (or globs with * and ?); omit the header to keep every allowed one`;
  if (items.length > MAX_ITEMS) return { ok: false, message: `${usage}; it has more than ${MAX_ITEMS} items` };
  for (const [index, part] of items.entries()) {
    if (part.length === 0) return { ok: false, message: `${usage}; item ${index + 1} is empty` };
    if (!item.test(part)) return { ok: false, message: `${usage}; item ${index + 1} (${excerpt(part)}) is not one` };
  }
  return { ok: true, value: items };
}

function parseReadOnly(raw: string | readonly string[]): Parsed<boolean> {
  const single = typeof raw === 'string' ? raw : raw.length === 1 ? raw[0] : undefined;
  const text = single?.trim().toLowerCase();
  if (text === 'true') return { ok: true, value: true };
  if (text === 'false') return { ok: true, value: false };
  return { ok: false, message: `${READ_ONLY_HEADER} must be true or false, sent once` };
}

function toolRestriction(id: string, refuse: (tool: PolicyTool) => string | undefined): Restriction {
  return { id, refuseTool: refuse, refuseCall: () => undefined };
}

/** The base policy with more restrictions after it: a conjunction, so it can only narrow. */
function narrowed(base: PrincipalPolicy, restrictions: readonly Restriction[]): PrincipalPolicy {
  const rules = Object.freeze([...base.rules, ...restrictions.map((restriction) => restriction.id)]);
  return Object.freeze({
    principalId: base.principalId,
    rules,
    restricted: base.restricted || restrictions.length > 0,
    toolVisible: (tool: PolicyTool) =>
      base.toolVisible(tool) && restrictions.every((restriction) => restriction.refuseTool(tool) === undefined),
    checkCall(tool: PolicyTool, args: unknown): CallDecision {
      const decision = base.checkCall(tool, args);
      if (!decision.allowed && decision.hidden) return decision;
      // A tool the headers hide is refused as hidden, before any argument refusal of the base.
      for (const restriction of restrictions) {
        const reason = restriction.refuseTool(tool);
        if (reason !== undefined) return { allowed: false, rule: restriction.id, reason, hidden: true };
      }
      return decision.allowed ? { allowed: true, rules } : decision;
    },
  });
}

/**
 * Lets a client narrow its own policy for one request: `x-bastion-tools: a,b*`,
 * `x-bastion-toolsets: repos`, `x-bastion-read-only: true`. Headers can remove tools, never add
 * any, and a malformed value is refused rather than ignored.
 */
export function narrowByHeaders(policy: PrincipalPolicy, headers: RequestHeaders): HeaderNarrowing {
  const restrictions: Restriction[] = [];

  const tools = headerValue(headers, TOOLS_HEADER);
  if (tools !== undefined) {
    const parsed = parseList(TOOLS_HEADER, tools, TOOL_ITEM, 'tool names');
    if (!parsed.ok) return { ok: false, header: TOOLS_HEADER, message: parsed.message };
    const matches = compileGlobs(parsed.value, 'name');
    restrictions.push(
      toolRestriction(`header:${TOOLS_HEADER}`, (tool) =>
        matches(tool.name) ? undefined : `tool ${tool.name} is not in this request's ${TOOLS_HEADER} (${listPatterns(parsed.value)})`,
      ),
    );
  }

  const toolsets = headerValue(headers, TOOLSETS_HEADER);
  if (toolsets !== undefined) {
    const parsed = parseList(TOOLSETS_HEADER, toolsets, TOOLSET_ITEM, 'toolset names');
    if (!parsed.ok) return { ok: false, header: TOOLSETS_HEADER, message: parsed.message };
    const matches = compileGlobs(parsed.value, 'name');
    restrictions.push(
      toolRestriction(`header:${TOOLSETS_HEADER}`, (tool) =>
        matches(tool.toolset)
          ? undefined
          : `tool ${tool.name} is in toolset ${tool.toolset}, not in this request's ${TOOLSETS_HEADER} (${listPatterns(parsed.value)})`,
      ),
    );
  }

  const readOnly = headerValue(headers, READ_ONLY_HEADER);
  if (readOnly !== undefined) {
    const parsed = parseReadOnly(readOnly);
    if (!parsed.ok) return { ok: false, header: READ_ONLY_HEADER, message: parsed.message };
    if (parsed.value) {
      restrictions.push(
        toolRestriction(`header:${READ_ONLY_HEADER}`, (tool) =>
          tool.annotations.readOnlyHint === true ? undefined : `tool ${tool.name} can change state and this request sent ${READ_ONLY_HEADER}: true`,
        ),
      );
    }
  }

  return { ok: true, policy: restrictions.length === 0 ? policy : narrowed(policy, restrictions) };
}
