import { readOnly } from '@bastion-mcp/core';
import { sanitizeText, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { accessFor, defineTool } from '../../context.js';
import type { EntryType } from './walk/entry.js';
import { compileGlobs } from '../../access/glob.js';
import { entryTypeSchema, excludeArgument, respectGitignoreArgument } from './walk/schemas.js';
import { resolveStartDirectory } from './walk/start.js';
import { Walker } from './walk/walker.js';
import type { WalkEntry } from './walk/walker.js';
import { renderTree } from '../render.js';

const DEFAULT_DEPTH = 3;
const MAX_DEPTH = 20;
const DEFAULT_ENTRIES = 1000;
const MAX_ENTRIES = 100_000;

interface TreeNode {
  name: string;
  type: EntryType;
  children?: TreeNode[];
}

const treeNode = z.object({
  name: untrustedText({ description: 'Entry name; control and invisible characters are removed.' }),
  type: entryTypeSchema,
  get children() {
    return z
      .array(treeNode)
      .optional()
      .describe('Entries of a directory that was expanded; absent on a directory left unexpanded (depth or entry limit)');
  },
});

const truncatedReasons = ['max_depth', 'max_entries', 'response_budget'] as const;

export const directoryTree = defineTool({
  name: 'directory_tree',
  toolset: 'read',
  title: 'Show a directory tree',
  description:
    'Show the tree of a directory as nested {name, type, children} nodes, sorted by name, breadth first: the upper levels are complete before deeper ones are shown. ' +
    `Bounded by max_depth (default ${DEFAULT_DEPTH}) and max_entries (default ${DEFAULT_ENTRIES}); a directory without children was not expanded, and truncated/truncatedReason say why the tree stopped. ` +
    'By default follows .gitignore and skips .git/; exclude takes globs such as "node_modules" or "dist/**". ' +
    'Symbolic links are shown, never followed; protected secret files are not shown. To find files by name use search_files; to search contents use grep_files.',
  scopes: ['files:read'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    path: z.string().describe('Directory at the top of the tree, absolute or relative to the first allowed directory'),
    max_depth: z
      .number()
      .int()
      .min(1)
      .max(MAX_DEPTH)
      .default(DEFAULT_DEPTH)
      .describe(`Levels to show (1 = only the entries of path; default ${DEFAULT_DEPTH}, at most ${MAX_DEPTH})`),
    max_entries: z
      .number()
      .int()
      .min(1)
      .max(MAX_ENTRIES)
      .default(DEFAULT_ENTRIES)
      .describe(`Most entries in the whole tree (default ${DEFAULT_ENTRIES}, at most ${MAX_ENTRIES})`),
    exclude: excludeArgument,
    respect_gitignore: respectGitignoreArgument,
  }),
  output: z.object({
    path: z.string().describe('The directory at the top, as given (absolute)'),
    tree: z.array(treeNode).describe('The entries of path'),
    entries: z.number().int().describe('Entries in the tree'),
    truncated: z.boolean().describe('Some entries are not shown; see truncatedReason'),
    truncatedReason: z
      .enum(truncatedReasons)
      .optional()
      .describe(
        'max_entries: the entry limit was reached; max_depth: directories at the depth limit have contents not shown; response_budget: the tree filled the response size limit. Narrow path, raise the limit or add exclude patterns.',
      ),
  }),
  text: renderTree,
  async handler(args, ctx) {
    const access = await accessFor(ctx);
    const start = await resolveStartDirectory(access, 'path', args.path);
    const exclude = compileGlobs('exclude', args.exclude);
    const walker = new Walker(access, start, { exclude, respectGitignore: args.respect_gitignore, signal: ctx.signal });
    const { pacer } = walker;

    // Breadth first, so that a limit cuts the deepest levels, not a whole sibling subtree.
    const room = ctx.budget.maxBytes * 0.9 - 200 - Buffer.byteLength(start.path);
    const tree: TreeNode[] = [];
    let entries = 0;
    let bytes = 0;
    let reason: (typeof truncatedReasons)[number] | undefined;
    let queue: { entry: WalkEntry | undefined; node: TreeNode | undefined }[] = [{ entry: undefined, node: undefined }];
    let nextLevel: typeof queue = [];
    let position = 0;
    const atDepthLimit: WalkEntry[] = [];
    expand: while (queue.length > 0) {
      nextLevel = [];
      for (position = 0; position < queue.length; position += 1) {
        const { entry, node: parent } = queue[position] as (typeof queue)[number];
        const listing = entry === undefined ? walker.readStart() : walker.readDirectory(entry);
        const children = parent?.children ?? tree;
        if (!listing) {
          // Unreadable: shown without children, like a directory not expanded.
          if (parent) delete parent.children;
          continue;
        }
        for (const child of listing) {
          if (entries >= args.max_entries) {
            reason = 'max_entries';
            break expand;
          }
          const name = sanitizeText(child.name);
          bytes += Buffer.byteLength(name) + (child.type === 'directory' ? 48 : 32);
          if (bytes > room) {
            reason = 'response_budget';
            break expand;
          }
          const node: TreeNode = { name, type: child.type };
          children.push(node);
          entries += 1;
          if (child.type === 'directory') {
            if (child.depth < args.max_depth) {
              node.children = [];
              nextLevel.push({ entry: child, node });
            } else atDepthLimit.push(child);
          }
        }
        pacer.check();
        if (pacer.due()) await pacer.pause();
      }
      queue = nextLevel;
    }
    if (reason !== undefined) {
      // Directories queued but not reached were not expanded: they get no children array.
      const current = queue[position]?.node;
      if (current?.children?.length === 0) delete current.children;
      for (const { node } of queue.slice(position + 1)) if (node) delete node.children;
      for (const { node } of nextLevel) if (node) delete node.children;
    } else {
      // Only say max_depth when a directory at the limit really has something to show.
      for (const directory of atDepthLimit) {
        const listing = walker.readDirectory(directory);
        if (listing && listing.length > 0) {
          reason = 'max_depth';
          break;
        }
        pacer.check();
        if (pacer.due()) await pacer.pause();
      }
    }
    return { path: start.path, tree, entries, truncated: reason !== undefined, ...(reason === undefined ? {} : { truncatedReason: reason }) };
  },
});
