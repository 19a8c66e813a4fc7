import { ToolError } from '@bastion-mcp/core';
import { show } from '../../../access/messages.js';
import { diagnose } from './diagnose.js';
import { dominantLineEnding, endingOf, withLineEnding } from './line-endings.js';
import type { LineEnding } from './line-endings.js';
import { linesAt, occurrences } from './locate.js';

export interface Edit {
  readonly old_text: string;
  readonly new_text: string;
  readonly replace_all: boolean;
}

export interface Edited {
  readonly text: string;
  readonly replacements: number;
}

const SHOWN_LINES = 10;

/**
 * The forms of `oldText` to look for, in order: as given, then with its line breaks written the
 * way the file writes them (so LF text matches a CRLF file), then the other way.
 */
function variants(oldText: string, fileEnding: LineEnding | undefined): string[] {
  const found = [oldText];
  if (!oldText.includes('\n')) return found;
  for (const ending of [fileEnding ?? '\n', '\n', '\r\n'] as const) {
    const variant = withLineEnding(oldText, ending);
    if (!found.includes(variant)) found.push(variant);
  }
  return found;
}

/** How many times split() will cut `text` at `needle` (occurrences that do not overlap). */
function separateOccurrences(text: string, needle: string): number {
  let count = 0;
  for (let index = text.indexOf(needle); index !== -1; index = text.indexOf(needle, index + needle.length)) count += 1;
  return count;
}

function unique(numbers: readonly number[]): number[] {
  return numbers.filter((value, index) => numbers.indexOf(value) === index);
}

/**
 * Applies the edits in order, each to the result of the previous ones, all or nothing: an edit
 * whose old_text is missing, or present several times without replace_all, throws and nothing
 * is applied. Line breaks in new_text follow the text it replaces (or the file), and a file that
 * ended with a line break still does.
 */
export function applyEdits(original: string, edits: readonly Edit[], path: string, maxBytes: number): Edited {
  const fileEnding = dominantLineEnding(original);
  let text = original;
  let bytes = Buffer.byteLength(original, 'utf8');
  let replacements = 0;
  edits.forEach((edit, index) => {
    const argument = `\`edits[${index}].old_text\``;
    const after = index > 0 ? ' (after the earlier edits)' : '';
    let matched: { variant: string; count: number; first: readonly number[] } | undefined;
    for (const variant of variants(edit.old_text, fileEnding)) {
      const found = occurrences(text, variant, SHOWN_LINES);
      if (found.count > 0) {
        matched = { variant, ...found };
        break;
      }
    }
    if (!matched) {
      throw new ToolError(`${argument} was not found in ${show(path)}${after}. ${diagnose(text, edit.old_text)} Nothing was written.`);
    }
    if (matched.count > 1 && !edit.replace_all) {
      const lines = unique(linesAt(text, matched.first));
      const more = matched.count > matched.first.length ? ', …' : '';
      throw new ToolError(
        `${argument} matches ${matched.count} times at line${lines.length === 1 ? '' : 's'} ${lines.join(', ')}${more} of ${show(path)}${after}: ` +
          'add surrounding lines to make it unique, or pass replace_all: true to replace every one. Nothing was written.',
      );
    }
    const ending = endingOf(matched.variant) ?? fileEnding;
    const replacement = ending && edit.new_text.includes('\n') ? withLineEnding(edit.new_text, ending) : edit.new_text;
    // The size is checked before the text is built: chained replace_all edits can each double it,
    // and the process must not run out of memory building a result it will refuse anyway.
    const count = edit.replace_all ? separateOccurrences(text, matched.variant) : 1;
    const next = bytes + count * (Buffer.byteLength(replacement, 'utf8') - Buffer.byteLength(matched.variant, 'utf8'));
    if (next > maxBytes) {
      throw new ToolError(
        `\`path\` ${show(path)}: the edited file would be ${next} bytes${edits.length > 1 ? ` at \`edits[${index}]\`` : ''}, over the limit of ${maxBytes} bytes per write (--max-write-bytes); nothing was written.`,
      );
    }
    bytes = next;
    if (edit.replace_all) {
      // split/join, not String.replace: `$&` and friends in new_text stay literal.
      const parts = text.split(matched.variant);
      replacements += parts.length - 1;
      text = parts.join(replacement);
    } else {
      const at = matched.first[0] ?? 0;
      text = text.slice(0, at) + replacement + text.slice(at + matched.variant.length);
      replacements += 1;
    }
  });
  if (original.endsWith('\n') && text !== '' && !text.endsWith('\n')) text += fileEnding ?? '\n';
  return { text, replacements };
}
