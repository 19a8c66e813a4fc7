import { isIP } from 'node:net';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { ConfigProblem } from '../errors.js';
import { authConfigured, authOptionsFrom } from './auth-settings.js';
import { CORE_SETTINGS, coreSettingsSchema } from './core-settings.js';
import type { CoreSettings } from './core-settings.js';
import { connectorSettings } from './connector-settings.js';
import { parseArgv } from './parse-argv.js';
import type { FlagSpec } from './parse-argv.js';
import type { Setting } from './setting.js';
import { namedPrefix, settingLabel } from './setting.js';

export type CliAction = 'serve' | 'help' | 'version' | 'print-tools' | 'generate-api-key';

export interface ConfigSource {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
}

export interface ConnectorConfigShape {
  readonly name: string;
  readonly config?: z.ZodObject;
  /** The connector setting that positional arguments fill (a list), e.g. allowed directories. */
  readonly positionals?: string;
}

export interface LoadedConfig<ConnectorConfig> {
  core: CoreSettings;
  connector: ConnectorConfig;
}

const ACTION_FLAGS: readonly FlagSpec[] = [
  { name: 'help', takesValue: false, short: 'h', label: '--help' },
  { name: 'version', takesValue: false, short: 'V', label: '--version' },
  { name: 'print-tools', takesValue: false, label: '--print-tools' },
  { name: 'generate-api-key', takesValue: false, label: '--generate-api-key' },
];

export function allSettings(shape: ConnectorConfigShape): Setting[] {
  return [...connectorSettings(shape.name, shape.config, shape.positionals), ...CORE_SETTINGS];
}

/** Which action the command line asks for; answered before any other setting is validated. */
export function cliAction(argv: readonly string[]): CliAction {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  if (argv.includes('--version') || argv.includes('-V')) return 'version';
  if (argv.includes('--print-tools')) return 'print-tools';
  if (argv.includes('--generate-api-key')) return 'generate-api-key';
  return 'serve';
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);

function coerce(setting: Setting, raw: string | boolean): unknown {
  if (typeof raw === 'boolean') return raw;
  const text = raw.trim();
  switch (setting.kind) {
    case 'boolean':
      if (TRUE_WORDS.has(text.toLowerCase())) return true;
      if (FALSE_WORDS.has(text.toLowerCase())) return false;
      return text;
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    case 'list':
      return text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
    default:
      return text;
  }
}

const EXPECTED: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false (or 1/0, yes/no, on/off)',
  string: 'text',
  array: 'a comma-separated list',
};

/** What was wrong with a value and what it must be instead; a secret's value is never echoed. */
function describeIssue(issue: z.core.$ZodIssue, secret: boolean): string {
  const got = secret || !('input' in issue) ? '' : ` (got ${JSON.stringify(issue.input)})`;
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) {
        return issue.message.startsWith('required') ? issue.message : `required: set it to ${EXPECTED[issue.expected] ?? issue.expected}`;
      }
      return `must be ${EXPECTED[issue.expected] ?? issue.expected}${got}`;
    case 'too_small':
      if (!issue.message.startsWith('Too small')) return issue.message;
      if (issue.origin === 'number') return `must be ${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)}${got}`;
      if (issue.origin === 'string') return `must be at least ${String(issue.minimum)} characters long`;
      if (issue.origin === 'array') return `give at least ${String(issue.minimum)} value${issue.minimum === 1 ? '' : 's'}`;
      return issue.message;
    case 'too_big':
      if (!issue.message.startsWith('Too big')) return issue.message;
      if (issue.origin === 'number') return `must be ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}${got}`;
      if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters long`;
      if (issue.origin === 'array') return `give at most ${String(issue.maximum)} values`;
      return issue.message;
    case 'invalid_value':
      if (!issue.message.startsWith('Invalid option')) return issue.message;
      return `must be one of ${issue.values.map(String).join(', ')}${got}`;
    case 'invalid_format':
      return issue.message.startsWith('Invalid') ? `must be a valid ${issue.format === 'url' ? 'URL' : issue.format}${got}` : issue.message;
    default:
      return issue.message;
  }
}

function collectIssues(
  error: z.ZodError,
  settingsByKey: Map<string, Setting>,
  unreadableKeys: ReadonlySet<string>,
  problems: ConfigProblem[],
): void {
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? '');
    if (unreadableKeys.has(key)) continue;
    const setting = settingsByKey.get(key);
    const prefix = setting?.env === undefined ? undefined : namedPrefix(setting.env);
    const label =
      prefix !== undefined && issue.path.length > 1
        ? `${prefix}${String(issue.path[1])}`
        : setting ? settingLabel(setting) : key || 'configuration';
    problems.push({ setting: label, message: describeIssue(issue, setting?.secret ?? true) });
  }
}

/** One entry per setting, its messages joined, in the order the settings first appear. */
function mergeBySetting(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const merged = new Map<string, string[]>();
  for (const { setting, message } of problems) {
    const messages = merged.get(setting) ?? [];
    if (!messages.includes(message)) messages.push(message);
    merged.set(setting, messages);
  }
  return [...merged].map(([setting, messages]) => ({ setting, message: messages.join('; ') }));
}

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}


/**
 * Reads every setting from flags (which win) and the environment, validates them all, and
 * throws one ConfigError that names every bad or missing setting. Values are never echoed for
 * secrets.
 */
export function loadConfig<ConnectorConfig>(
  shape: ConnectorConfigShape,
  source: ConfigSource,
  options: {
    httpAuthConfigured?: boolean;
    /** `lenient` skips the connector's own settings (for --print-tools without credentials). */
    connectorSettings?: 'strict' | 'lenient';
  } = {},
): LoadedConfig<ConnectorConfig> {
  const lenient = options.connectorSettings === 'lenient';
  const settings = allSettings(shape);
  const settingsByKey = new Map(settings.map((setting) => [setting.key, setting]));
  const problems: ConfigProblem[] = [];

  const flags: FlagSpec[] = [...ACTION_FLAGS];
  for (const setting of settings) {
    if (setting.flag) flags.push({ name: setting.flag, takesValue: setting.kind !== 'boolean', label: settingLabel(setting) });
  }
  const argv = parseArgv(source.argv, flags, shape.positionals !== undefined);
  const { values, positionals } = argv;
  problems.push(...argv.problems);
  // A setting whose flag had no usable value is reported once, by the parser, not again as missing.
  const unreadableKeys = new Set(settings.filter((setting) => setting.flag && argv.unreadable.has(setting.flag)).map((setting) => setting.key));

  const raw: Record<string, unknown> = { core: {}, connector: {} };
  const declared = new Set(settings.map((setting) => setting.env));
  for (const setting of settings) {
    const prefix = setting.env === undefined ? undefined : namedPrefix(setting.env);
    if (prefix !== undefined) {
      const family: Record<string, string> = {};
      for (const [name, value] of Object.entries(source.env)) {
        const suffix = name.slice(prefix.length);
        if (!name.startsWith(prefix) || !/^[A-Za-z0-9_]+$/.test(suffix) || declared.has(name)) continue;
        if (value !== undefined && value !== '') family[suffix] = value;
      }
      if (Object.keys(family).length > 0) (raw.connector as Record<string, unknown>)[setting.key] = family;
      continue;
    }
    const fromFlag = setting.flag ? values[setting.flag] : undefined;
    const fromEnv = setting.env ? source.env[setting.env] : undefined;
    const chosen = fromFlag ?? (fromEnv === undefined || fromEnv === '' ? undefined : fromEnv);
    const target = CORE_SETTINGS.includes(setting) ? 'core' : 'connector';
    if (chosen !== undefined) (raw[target] as Record<string, unknown>)[setting.key] = coerce(setting, chosen);
  }
  if (shape.positionals && positionals.length > 0) {
    (raw.connector as Record<string, unknown>)[shape.positionals] = positionals;
  }

  const core = coreSettingsSchema.safeParse(raw.core, { reportInput: true });
  if (!core.success) collectIssues(core.error, settingsByKey, unreadableKeys, problems);
  const connectorSchema = shape.config ?? z.object({});
  const connector = connectorSchema.safeParse(raw.connector, { reportInput: true });
  if (!connector.success && !lenient) collectIssues(connector.error, settingsByKey, unreadableKeys, problems);

  if (core.success) {
    const { transport, host, insecureNoAuth } = core.data;
    problems.push(...authOptionsFrom(core.data).problems);
    const authenticated = options.httpAuthConfigured === true || authConfigured(core.data);
    if (transport === 'http' && !isLoopback(host) && !authenticated && !insecureNoAuth) {
      problems.push({
        setting: '--host / BASTION_HOST',
        message:
          `${host} is not a loopback address and no authentication is configured; ` +
          'configure authentication, bind 127.0.0.1, or pass --insecure-no-auth to accept the risk',
      });
    }
  }

  if (problems.length > 0 || !core.success || (!connector.success && !lenient)) throw new ConfigError(mergeBySetting(problems));
  return { core: core.data, connector: (connector.success ? connector.data : {}) as ConnectorConfig };
}
