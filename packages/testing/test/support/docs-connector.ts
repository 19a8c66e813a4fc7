import { ResourceNotFoundError, ToolError, defineConnector, promptFactory, readOnly, resourceFactory, toolFactory, userMessage } from '@bastion-mcp/core';
import { z } from 'zod';

/**
 * A connector with the shape of the filesystem one, small enough to test the policy on every
 * method that returns data: a tool that reads a document by path, a resource template and a
 * prompt that follow that tool (mapping their URI or argument to its `path`), and a resource and
 * a prompt that follow no tool.
 */
export interface DocsContext {
  readonly docs: ReadonlyMap<string, string>;
}

export const DOCS: ReadonlyMap<string, string> = new Map([
  ['/public/a.txt', 'alpha'],
  ['/public/b.txt', 'bravo'],
  ['/secret/keys.txt', 'the secret keys'],
]);

const defineTool = toolFactory<DocsContext>();
const { defineResource, defineResourceTemplate } = resourceFactory<DocsContext>();
const definePrompt = promptFactory<DocsContext>();

function docAt(docs: ReadonlyMap<string, string>, path: string): string {
  const text = docs.get(path);
  if (text === undefined) throw new ToolError(`no document at ${path}`);
  return text;
}

export const readDoc = defineTool({
  name: 'read_doc',
  toolset: 'docs',
  description: 'Read one document by its absolute path.',
  scopes: ['docs:read'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({ path: z.string() }),
  output: z.object({ text: z.string() }),
  handler: ({ path }, { docs }) => ({ text: docAt(docs, path) }),
});

export const countDocs = defineTool({
  name: 'count_docs',
  toolset: 'docs',
  description: 'Count the documents.',
  scopes: ['docs:read'],
  annotations: readOnly({ openWorld: false }),
  output: z.object({ count: z.number() }),
  handler: (_args, { docs }) => ({ count: docs.size }),
});

/** The path a doc:// URI names. */
function docPath(uri: URL): string {
  if (uri.protocol !== 'doc:' || uri.host !== '') throw new ToolError(`${uri.href} is not a doc:///path URI`);
  return decodeURIComponent(uri.pathname);
}

export const docResource = defineResourceTemplate({
  name: 'doc',
  description: 'A document, as doc:///absolute/path.',
  uriTemplate: 'doc:///{+path}',
  scopes: ['docs:read'],
  policy: { tool: 'read_doc', arguments: (uri) => ({ path: docPath(uri) }) },
  list: (ctx) => [...ctx.docs.keys()].map((path) => ({ uri: `doc://${path}`, name: path })),
  complete: { path: (value) => [...DOCS.keys()].map((path) => path.slice(1)).filter((path) => path.startsWith(value)) },
  read(uri, _variables, ctx) {
    const path = docPath(uri);
    if (!ctx.docs.has(path)) throw new ResourceNotFoundError(uri.href, `no document at ${path}`);
    return [{ uri: uri.href, mimeType: 'text/plain', text: docAt(ctx.docs, path) }];
  },
});

export const aboutResource = defineResource({
  name: 'about',
  description: 'About this server; follows no tool.',
  uri: 'info://about',
  scopes: [],
  read: (uri) => [{ uri: uri.href, mimeType: 'text/plain', text: 'docs server' }],
});

export const summarizePrompt = definePrompt({
  name: 'summarize_doc',
  description: 'Summarize one document.',
  scopes: ['docs:read'],
  policy: { tool: 'read_doc', arguments: (args) => ({ path: args.path }) },
  args: z.object({ path: z.string() }),
  complete: { path: (value) => [...DOCS.keys()].filter((path) => path.startsWith(value)) },
  get: ({ path }, ctx) => ({ messages: [userMessage(`Summarize: ${docAt(ctx.docs, path)}`)] }),
});

export const greetingPrompt = definePrompt({
  name: 'greeting',
  description: 'A greeting; follows no tool.',
  scopes: [],
  get: () => ({ messages: [userMessage('Hello')] }),
});

export function docsConnector() {
  return defineConnector({
    name: 'docs',
    version: '1.0.0',
    description: 'Documents, to test the policy on resources and prompts.',
    config: z.object({}),
    toolsets: { docs: { description: 'Documents', default: true } },
    createContext: () => ({ docs: DOCS }),
    tools: [readDoc, countDocs],
    resources: [docResource, aboutResource],
    prompts: [summarizePrompt, greetingPrompt],
  });
}
