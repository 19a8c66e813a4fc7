import { ToolError } from '@bastion-mcp/core';
import { isAbsolute, normalize, resolve } from 'node:path';
import { show } from './messages.js';

const WINDOWS_DRIVE = /^[A-Za-z]:/;
const UNC = /^(?:\\\\|\/\/)/;

/**
 * Checks a path argument before anything touches the disk and makes it absolute. `..` is
 * refused outright rather than resolved, so a path can never climb out and back in; relative
 * paths start at `base` (the first allowed directory).
 */
export function absoluteRequestedPath(argument: string, input: string, base: string): string {
  if (input.trim() === '') throw new ToolError(`\`${argument}\` is empty; give a path inside an allowed directory.`);
  if (input.includes('\u0000')) throw new ToolError(`\`${argument}\` contains a NUL character; remove it.`);
  if (WINDOWS_DRIVE.test(input) || UNC.test(input)) {
    throw new ToolError(
      `\`${argument}\` ${show(input)} is a Windows drive or UNC path; give a POSIX path inside an allowed directory.`,
    );
  }
  if (input.split(/[\\/]/).includes('..')) {
    throw new ToolError(
      `\`${argument}\` ${show(input)} contains "..", which is not allowed; give the path from an allowed directory (list_allowed_directories shows them).`,
    );
  }
  const absolute = isAbsolute(input) ? normalize(input) : resolve(base, input);
  return absolute.length > 1 && absolute.endsWith('/') ? absolute.slice(0, -1) : absolute;
}
