/** Formats a path for messages: quoted, so trailing spaces and odd characters stay visible. */
export function show(path: string): string {
  return JSON.stringify(path);
}
