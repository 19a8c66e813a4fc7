import type { z } from 'zod';

export type SettingKind = 'string' | 'number' | 'boolean' | 'list' | 'named';

/** One configurable value, settable by a flag, an environment variable or both. */
export interface Setting {
  /** Key in the parsed settings object. */
  readonly key: string;
  /** Long flag without dashes; undefined for env-only settings (secrets). */
  readonly flag: string | undefined;
  readonly env: string | undefined;
  readonly kind: SettingKind;
  readonly description: string;
  readonly group: string;
  readonly secret: boolean;
  /** Shown in --help; undefined when there is none. */
  readonly defaultLabel: string | undefined;
  readonly placeholder: string;
}

/**
 * A setting declared as `PREFIX_<NAME>` is a family of environment variables (`POSTGRES_URL_SALES`,
 * `POSTGRES_URL_ANALYTICS`, ...) read into a record keyed by the part after the prefix.
 */
const NAMED_SUFFIX = '_<NAME>';

export function namedPrefix(envName: string): string | undefined {
  return envName.endsWith(NAMED_SUFFIX) ? envName.slice(0, -NAMED_SUFFIX.length + 1) : undefined;
}

export function settingLabel(setting: Setting): string {
  const names = [setting.flag && `--${setting.flag}`, setting.env].filter(Boolean);
  return names.join(' / ');
}

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; defaultValue?: unknown; element?: z.ZodType };

/** Peels optional/default/pipe wrappers to find what kind of value a zod field expects. */
export function kindOf(schema: z.ZodType): SettingKind {
  let current: z.ZodType | undefined = schema;
  for (let depth = 0; current && depth < 10; depth += 1) {
    const def = current.def as Def;
    switch (def.type) {
      case 'record':
        return 'named';
      case 'boolean':
        return 'boolean';
      case 'number':
      case 'int':
      case 'bigint':
        return 'number';
      case 'array':
      case 'set':
        return 'list';
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'catch':
      case 'readonly':
        current = def.innerType;
        break;
      case 'pipe':
        current = def.in;
        break;
      default:
        return 'string';
    }
  }
  return 'string';
}

/** The default a zod field declares, formatted for --help. */
export function defaultLabelOf(schema: z.ZodType): string | undefined {
  let current: z.ZodType | undefined = schema;
  for (let depth = 0; current && depth < 10; depth += 1) {
    const def = current.def as Def;
    if (def.type === 'default' || def.type === 'prefault') {
      const value = typeof def.defaultValue === 'function' ? (def.defaultValue as () => unknown)() : def.defaultValue;
      if (Array.isArray(value)) return value.join(',');
      // An empty family (`PREFIX_<NAME>` records) has nothing worth printing as a default.
      if (typeof value === 'object' && value !== null) return Object.keys(value).length === 0 ? undefined : JSON.stringify(value);
      return String(value);
    }
    current = def.innerType ?? def.in;
  }
  return undefined;
}

export function isOptional(schema: z.ZodType): boolean {
  return schema.safeParse(undefined).success;
}
