/** One pass of redactString: every match of `pattern` is replaced by what `replace` returns. */
export interface TextRule {
  readonly pattern: RegExp;
  readonly replace: (match: string, ...groups: string[]) => string;
}
