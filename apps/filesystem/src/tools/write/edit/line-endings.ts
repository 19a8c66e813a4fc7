export type LineEnding = '\n' | '\r\n';

/** The line ending most lines of `text` use, or undefined when it has no line breaks. */
export function dominantLineEnding(text: string): LineEnding | undefined {
  let crlf = 0;
  let lf = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) {
    if (index > 0 && text.charCodeAt(index - 1) === 0x0d) crlf += 1;
    else lf += 1;
  }
  if (crlf + lf === 0) return undefined;
  return crlf > lf ? '\r\n' : '\n';
}

/** `text` with every line break (LF or CRLF) written as `ending`. */
export function withLineEnding(text: string, ending: LineEnding): string {
  return text.replace(/\r?\n/g, ending);
}

/** The line ending of a piece of text that has line breaks: CRLF if any break is CRLF. */
export function endingOf(text: string): LineEnding | undefined {
  if (!text.includes('\n')) return undefined;
  return text.includes('\r\n') ? '\r\n' : '\n';
}
