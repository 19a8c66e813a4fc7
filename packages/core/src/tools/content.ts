import type { ContentBlock } from '@modelcontextprotocol/server';

export type { ContentBlock };

const TOOL_CONTENT = Symbol.for('bastion.tool-content');

/**
 * A tool result made of explicit content blocks (images, audio, embedded resources) instead of
 * plain data. Return it from a handler when the result is media rather than a JSON document.
 */
export interface ToolContent {
  readonly [TOOL_CONTENT]: true;
  readonly content: readonly ContentBlock[];
  /** Structured data to send alongside, validated against the tool's output schema if it has one. */
  readonly structured?: Record<string, unknown>;
}

export function toolContent(
  content: readonly ContentBlock[],
  options: { structured?: Record<string, unknown> } = {},
): ToolContent {
  return { [TOOL_CONTENT]: true, content, ...options };
}

export function isToolContent(value: unknown): value is ToolContent {
  return typeof value === 'object' && value !== null && (value as ToolContent)[TOOL_CONTENT] === true;
}

export function textBlock(text: string): ContentBlock {
  return { type: 'text', text };
}

export function imageBlock(base64: string, mimeType: string): ContentBlock {
  return { type: 'image', data: base64, mimeType };
}

export function audioBlock(base64: string, mimeType: string): ContentBlock {
  return { type: 'audio', data: base64, mimeType };
}

export function embeddedTextBlock(uri: string, text: string, mimeType = 'text/plain'): ContentBlock {
  return { type: 'resource', resource: { uri, mimeType, text } };
}

export function embeddedBlobBlock(uri: string, base64: string, mimeType: string): ContentBlock {
  return { type: 'resource', resource: { uri, mimeType, blob: base64 } };
}
