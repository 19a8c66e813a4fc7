import { isSecretSchema } from '@bastion-mcp/auth';
import type { z } from 'zod';
import type { Setting } from './setting.js';
import { defaultLabelOf, isOptional, kindOf, namedPrefix } from './setting.js';

/** `GITHUB_API_URL` of connector `github` becomes `--api-url`; other names keep their full form. */
function flagFor(envName: string, connectorName: string): string {
  const prefix = `${connectorName.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_`;
  const bare = envName.startsWith(prefix) ? envName.slice(prefix.length) : envName;
  return bare.toLowerCase().replace(/_/g, '-');
}

/**
 * Derives the connector's settings from its zod config object: each key is an environment
 * variable; each non-secret also gets a flag. Secrets are env-only so they never sit in `ps`.
 */
export function connectorSettings(
  connectorName: string,
  config: z.ZodObject | undefined,
  positional: string | undefined,
): Setting[] {
  if (!config) return [];
  return Object.entries(config.shape).map(([envName, schema]) => {
    const field = schema as z.ZodType;
    const secret = isSecretSchema(field);
    const kind = kindOf(field);
    if ((kind === 'named') !== (namedPrefix(envName) !== undefined)) {
      throw new Error(`Connector "${connectorName}" setting ${envName}: a family of variables is named PREFIX_<NAME> and declared as a z.record`);
    }
    const required = !isOptional(field);
    const description = [field.description ?? '', required ? '(required)' : '']
      .filter(Boolean)
      .join(' ');
    return {
      key: envName,
      flag: secret || kind === 'named' ? undefined : flagFor(envName, connectorName),
      env: envName,
      kind,
      description: envName === positional ? `${description} (also the positional arguments)` : description,
      group: 'Connector',
      secret,
      defaultLabel: defaultLabelOf(field),
      placeholder: kind === 'boolean' ? '' : kind === 'list' ? 'a,b' : kind === 'number' ? 'n' : 'value',
    };
  });
}
