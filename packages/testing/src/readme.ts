import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { allSettings, prepareTool } from '@bastion-mcp/core';
import type { Connector, Setting } from '@bastion-mcp/core';

const SECTIONS = ['tools', 'settings'] as const;
type Section = (typeof SECTIONS)[number];

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function argumentsOf(schema: Record<string, unknown>): string {
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  const required = new Set((schema.required ?? []) as string[]);
  const names = Object.keys(properties);
  if (names.length === 0) return '—';
  return names.map((name) => (required.has(name) ? `\`${name}\`*` : `\`${name}\``)).join(', ');
}

function renderTools(connector: Connector<unknown>): string {
  const lines: string[] = [];
  const groups = new Map<string, Connector<unknown>['tools'][number][]>();
  for (const tool of connector.tools) groups.set(tool.toolset, [...(groups.get(tool.toolset) ?? []), tool]);
  for (const [toolset, tools] of groups) {
    const info = connector.toolsets[toolset];
    lines.push(`### ${toolset}${info ? ` — ${info.description}` : ''}`, '');
    lines.push('| tool | what it does | arguments (* required) | read-only | scopes |', '|---|---|---|---|---|');
    for (const tool of tools) {
      const { definition } = prepareTool(tool);
      lines.push(
        `| \`${tool.name}\` | ${cell(tool.description)} | ${argumentsOf(definition.inputSchema)} | ${tool.annotations.readOnlyHint ? 'yes' : 'no'} | ${tool.scopes.map((scope) => `\`${scope}\``).join(' ') || '—'} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

function renderSettings(connector: Connector<unknown>): string {
  const lines = ['| flag | environment | default | what it does |', '|---|---|---|---|'];
  const row = (setting: Setting) =>
    `| ${setting.flag ? `\`--${setting.flag}\`` : '(env only)'} | \`${setting.env}\` | ${setting.defaultLabel === undefined ? '—' : `\`${cell(setting.defaultLabel)}\``} | ${cell(setting.description)}${setting.secret ? ' (secret)' : ''} |`;
  for (const setting of allSettings(connector)) lines.push(row(setting));
  return lines.join('\n');
}

/** The generated README sections of a connector: its tools and every setting. */
export function renderReadmeSections(connector: Connector<unknown>): Record<Section, string> {
  return { tools: renderTools(connector), settings: renderSettings(connector) };
}

function markers(section: Section): [string, string] {
  return [`<!-- bastion:${section} -->`, `<!-- /bastion:${section} -->`];
}

/**
 * Compares (or with `update`, rewrites) the README sections between `<!-- bastion:tools -->` and
 * `<!-- bastion:settings -->` markers and their closing tags; returns the sections that are
 * stale or missing.
 */
export function syncReadme<Ctx>(connector: Connector<Ctx>, readmePath: string, update: boolean): Section[] {
  const rendered = renderReadmeSections(connector as unknown as Connector<unknown>);
  let text = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '';
  const stale: Section[] = [];
  for (const section of SECTIONS) {
    const [open, close] = markers(section);
    const start = text.indexOf(open);
    const end = text.indexOf(close);
    const wanted = `${open}\n${rendered[section]}\n${close}`;
    if (start === -1 || end === -1 || end < start) {
      stale.push(section);
      continue;
    }
    if (text.slice(start, end + close.length) !== wanted) {
      stale.push(section);
      if (update) text = text.slice(0, start) + wanted + text.slice(end + close.length);
    }
  }
  if (update) writeFileSync(readmePath, text);
  return stale;
}
