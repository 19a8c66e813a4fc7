import type { Setting } from './setting.js';

export interface HelpInfo {
  bin: string;
  version: string;
  description: string;
  usage: string;
  settings: readonly Setting[];
}

function left(setting: Setting): string {
  if (!setting.flag) return setting.kind === 'named' ? '(env only, any NAME)' : '(env only)';
  return setting.placeholder ? `--${setting.flag} <${setting.placeholder}>` : `--${setting.flag}`;
}

/** Every flag and environment variable with its default, grouped, aligned for a terminal. */
export function formatHelp(info: HelpInfo): string {
  const lines = [`${info.bin} ${info.version}`, info.description, '', `Usage: ${info.usage}`, ''];
  const groups = new Map<string, Setting[]>();
  for (const setting of info.settings) {
    groups.set(setting.group, [...(groups.get(setting.group) ?? []), setting]);
  }
  const width = Math.max(...info.settings.map((setting) => left(setting).length), 20) + 2;
  const envWidth = Math.max(...info.settings.map((setting) => (setting.env ?? '').length), 10) + 2;
  for (const [group, settings] of groups) {
    lines.push(`${group}:`);
    for (const setting of settings) {
      const notes = [setting.description];
      if (setting.defaultLabel !== undefined) notes.push(`(default: ${setting.defaultLabel})`);
      if (setting.secret) notes.push('(secret, never printed)');
      lines.push(`  ${left(setting).padEnd(width)}${(setting.env ?? '').padEnd(envWidth)}${notes.join(' ')}`);
    }
    lines.push('');
  }
  lines.push('Actions:');
  lines.push(`  ${'--help, -h'.padEnd(width)}Print this help and exit`);
  lines.push(`  ${'--version, -V'.padEnd(width)}Print the version and exit`);
  lines.push(`  ${'--print-tools'.padEnd(width)}Print the enabled tools as JSON, with a sha256 of each definition`);
  lines.push(`  ${'--generate-api-key'.padEnd(width)}Print a new API key and the BASTION_API_KEYS entry that admits it`);
  lines.push('');
  lines.push('Flags override environment variables. Lists are comma-separated.');
  return lines.join('\n');
}
