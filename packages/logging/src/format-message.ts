/**
 * printf-style interpolation with the same rules as pino's own (quick-format-unescaped), so a
 * message can be formatted, and then redacted as a whole, before pino sees it.
 * %s String, %d %f Number, %i integer, %o %O %j `stringify`, %% a literal percent sign;
 * placeholders without an argument stay as written and surplus arguments are dropped.
 */
export function formatMessage(
  template: string,
  params: readonly unknown[],
  stringify: (value: unknown) => string,
): string {
  if (params.length === 0) return template;
  let result = '';
  let copiedUpTo = 0;
  let position = 0;
  for (let index = 0; index < template.length - 1; index += 1) {
    if (template[index] !== '%') continue;
    const directive = template[index + 1];
    let replacement: string | undefined = '%';
    if (directive !== '%') {
      // Like pino, any '%x' pair uses up an argument, even when it is left as written.
      replacement = interpolate(directive, params, position, stringify);
      position += 1;
    }
    if (replacement === undefined) continue;
    result += template.slice(copiedUpTo, index) + replacement;
    copiedUpTo = index + 2;
    index += 1;
  }
  return result + template.slice(copiedUpTo);
}

function interpolate(
  directive: string | undefined,
  params: readonly unknown[],
  position: number,
  stringify: (value: unknown) => string,
): string | undefined {
  if (position >= params.length) return undefined;
  const value = params[position];
  switch (directive) {
    case 's':
      return String(value);
    case 'd':
    case 'f':
      return value == null ? undefined : String(Number(value));
    case 'i':
      return value == null ? undefined : String(Math.floor(Number(value)));
    case 'o':
    case 'O':
    case 'j':
      if (value === undefined) return undefined;
      if (typeof value === 'string') return `'${value}'`;
      if (typeof value === 'function') return value.name || '<anonymous>';
      return stringify(value);
    default:
      return undefined;
  }
}
