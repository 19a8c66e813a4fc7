import { ToolError } from '@bastion-mcp/core';

/** Refuses content larger than the operator's --max-write-bytes, before anything is written. */
export function contentWithinLimit(argument: string, content: string, maxBytes: number): void {
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > maxBytes) {
    throw new ToolError(
      `\`${argument}\` is ${bytes} bytes, over the limit of ${maxBytes} bytes per write (--max-write-bytes); write the file in parts with append_file.`,
    );
  }
}
