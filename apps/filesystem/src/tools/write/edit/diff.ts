
const CONTEXT_LINES = 3;
const DIFF_TIMEOUT_MS = 5000;

/**
 * A git-style unified diff (`diff --git a/… b/…`, 3 lines of context) from `before` to `after`;
 * '' when they are equal. A change too large to compare in time gives a one-line note instead.
 */
export async function unifiedDiff(name: string, before: string, after: string): Promise<string> {
  if (before === after) return '';
  // Loaded on first use: most servers never edit, and start-up time is a user-visible cost.
  const { formatPatch, structuredPatch } = await import('diff');
  const patch = structuredPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, {
    context: CONTEXT_LINES,
    timeout: DIFF_TIMEOUT_MS,
  });
  if (!patch) return `(no diff: the change to ${name} is too large to compare in time; read the file to check it)\n`;
  return formatPatch({ ...patch, isGit: true });
}

/**
 * Shortens a diff to whole lines so that, as a JSON string, it fits in `maxBytes`, ending with
 * a note of what was left out; the file itself is complete, only the report is cut.
 */
export function fitDiff(diff: string, maxBytes: number): string {
  if (Buffer.byteLength(JSON.stringify(diff)) <= maxBytes) return diff;
  const lines = diff.split('\n');
  const room = maxBytes - 200;
  let used = 2;
  let kept = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(JSON.stringify(line)) - 2 + 2;
    if (used + size > room) break;
    used += size;
    kept += 1;
  }
  const omitted = lines.length - kept;
  return `${lines.slice(0, kept).join('\n')}\n… diff truncated: ${omitted} more line${omitted === 1 ? '' : 's'} not shown; read the file to see the result.\n`;
}
