import type { RenderedText } from '@bastion-mcp/core';

/** How a continuation reads in a note. */
function more(truncated: boolean | undefined, how: string): string {
  return truncated ? `; more follow: ${how}` : '';
}

export function renderFileRange(result: {
  path: string;
  content: string;
  startLine: number;
  endLine: number;
  totalLines?: number | undefined;
  truncated: boolean;
  nextOffset?: number | undefined;
  cutLines?: readonly number[] | undefined;
  maxLineBytes?: number | undefined;
}): RenderedText {
  const lines = result.endLine >= result.startLine ? `lines ${result.startLine}-${result.endLine}` : 'no lines';
  const total = result.totalLines === undefined ? '' : ` of ${result.totalLines}`;
  const cut = result.cutLines?.length
    ? `; line${result.cutLines.length === 1 ? '' : 's'} ${result.cutLines.join(', ')} cut at ${result.maxLineBytes} bytes (the rest of ${result.cutLines.length === 1 ? 'it' : 'them'} is not shown)`
    : '';
  return {
    note: `${result.path}: ${lines}${total}${cut}${more(result.truncated, `call again with offset ${result.nextOffset}`)}`,
    data: result.content,
  };
}

const SUFFIX: Record<string, string> = { directory: '/', symlink: '@', other: '|', file: '' };

export function renderListing(result: {
  path: string;
  entries: readonly { name: string; type: string; size?: number | undefined; modified?: string | undefined }[];
  total: number;
  truncated?: boolean | undefined;
  nextCursor?: string | undefined;
}): RenderedText {
  const lines = result.entries.map((entry) => {
    const details = [entry.size === undefined ? '' : `${entry.size}`, entry.modified ?? ''].filter(Boolean).join('  ');
    return `${entry.name}${SUFFIX[entry.type] ?? ''}${details ? `  ${details}` : ''}`;
  });
  return {
    note: `${result.path}: ${result.entries.length} of ${result.total} entries (directories end in /, links in @, other special files in |)${more(result.truncated, 'pass nextCursor as cursor')}`,
    data: lines.join('\n'),
  };
}

interface TreeNode {
  name: string;
  type: string;
  children?: readonly TreeNode[] | undefined;
}

export function renderTree(result: {
  path: string;
  tree: readonly TreeNode[];
  entries: number;
  truncated: boolean;
  truncatedReason?: string | undefined;
}): RenderedText {
  const lines: string[] = [];
  const walk = (nodes: readonly TreeNode[], indent: string) => {
    for (const node of nodes) {
      lines.push(`${indent}${node.name}${SUFFIX[node.type] ?? ''}`);
      if (node.children) walk(node.children, `${indent}  `);
    }
  };
  walk(result.tree, '');
  const reason = result.truncatedReason ? ` (stopped at ${result.truncatedReason.replace('_', ' ')})` : '';
  return {
    note: `${result.path}: ${result.entries} entries${result.truncated ? `, truncated${reason}` : ''} (directories end in /, links in @)`,
    data: lines.join('\n'),
  };
}

export function renderPaths(result: {
  path: string;
  matches: readonly string[];
  truncated?: boolean | undefined;
}): RenderedText {
  return {
    note: `${result.path}: ${result.matches.length} matching path${result.matches.length === 1 ? '' : 's'}${more(result.truncated, 'pass nextCursor as cursor')}`,
    data: result.matches.join('\n'),
  };
}

export function renderGrep(result: {
  path: string;
  matches: readonly { path: string; line: number; text: string; before?: readonly string[] | undefined; after?: readonly string[] | undefined }[];
  filesSearched: number;
  truncated?: boolean | undefined;
}): RenderedText {
  const lines: string[] = [];
  for (const match of result.matches) {
    match.before?.forEach((text, index, all) => lines.push(`${match.path}-${match.line - all.length + index}-${text}`));
    lines.push(`${match.path}:${match.line}:${match.text}`);
    match.after?.forEach((text, index) => lines.push(`${match.path}-${match.line + index + 1}-${text}`));
  }
  return {
    note: `${result.path}: ${result.matches.length} matching line${result.matches.length === 1 ? '' : 's'} in ${result.filesSearched} files searched (path:line:text; context lines use -)${more(result.truncated, 'pass nextCursor as cursor')}`,
    data: lines.join('\n'),
  };
}

export function renderFiles(result: {
  files: readonly { path: string; content?: string | undefined; error?: string | undefined; truncated: boolean }[];
}): RenderedText {
  const sections = result.files.map((file) =>
    file.error !== undefined
      ? `==> ${file.path} <== (not read: ${file.error})`
      : `==> ${file.path} <==${file.truncated ? ' (truncated)' : ''}\n${file.content ?? ''}`,
  );
  return { note: `${result.files.length} file${result.files.length === 1 ? '' : 's'}, each after a "==> path <==" line`, data: sections.join('\n\n') };
}

export function renderEdit(result: { path: string; applied: boolean; replacements: number; diff: string }): RenderedText {
  const what = result.applied ? 'applied' : 'dry run, nothing written';
  return { note: `${result.path}: ${result.replacements} replacement${result.replacements === 1 ? '' : 's'} (${what})`, data: result.diff };
}
