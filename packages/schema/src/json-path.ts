const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const MAX_KEY_IN_PATH = 64;

export type PathSegment = string | number;

/** Formats segments as `filters[2].name`; the root is the empty string. */
export function formatJsonPath(segments: readonly PathSegment[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') {
      path += `[${segment}]`;
    } else if (IDENTIFIER.test(segment)) {
      path += path === '' ? segment : `.${segment}`;
    } else {
      // JSON.stringify escapes NUL and lone surrogates, so the path is always printable.
      const shown =
        segment.length > MAX_KEY_IN_PATH ? `${segment.slice(0, MAX_KEY_IN_PATH)}…` : segment;
      path += `[${JSON.stringify(shown)}]`;
    }
  }
  return path;
}
