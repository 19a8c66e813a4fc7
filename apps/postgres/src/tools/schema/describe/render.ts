import type { RenderedText } from '@bastion-mcp/core';
import type { z } from 'zod';
import type { tableDescriptionOutput } from './schema.js';

type Description = z.output<typeof tableDescriptionOutput>;

const NAME_WIDTH_CAP = 32;
const TYPE_WIDTH_CAP = 28;

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 10 * 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Math.round(value)} ${units[unit]}`;
}

const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));
const plural = (count: number, word: string, words = `${word}s`) => `${count} ${count === 1 ? word : words}`;
const qualified = (schema: string, name: string) => `${schema}.${name}`;

function columnLines(description: Description): string[] {
  const nameWidth = Math.min(NAME_WIDTH_CAP, Math.max(...description.columns.map((column) => column.name.length), 4));
  const typeWidth = Math.min(TYPE_WIDTH_CAP, Math.max(...description.columns.map((column) => column.type.length), 4));
  return description.columns.map((column) => {
    const parts = [pad(column.name, nameWidth), pad(column.type, typeWidth), column.nullable ? 'null    ' : 'not null'];
    if (column.identity) parts.push(`generated ${column.identity} as identity`);
    if (column.generated) parts.push(`generated always as (${column.generated.expression}) ${column.generated.kind}`);
    if (column.default !== undefined) parts.push(`default ${column.default}`);
    if (column.collation !== undefined) parts.push(`collate ${column.collation}`);
    if (column.canSelect === false) parts.push('(no SELECT privilege)');
    if (column.comment !== undefined) parts.push(`-- ${column.comment.replace(/\s+/g, ' ')}`);
    return `  ${parts.join(' ').trimEnd()}`;
  });
}

function indexLine(index: Description['indexes'][number]): string {
  const using = index.definition.indexOf(' USING ');
  const body = using === -1 ? index.definition : index.definition.slice(using + ' USING '.length);
  const flags = [index.primary ? 'PRIMARY KEY' : index.unique ? 'UNIQUE' : '', index.valid ? '' : 'INVALID'].filter(Boolean);
  const usage = `${formatBytes(index.sizeBytes)}${index.scans === null ? '' : `, ${plural(index.scans, 'scan')}`}`;
  return `  ${index.name}${flags.length > 0 ? ` ${flags.join(' ')}` : ''} ${body} [${usage}]`;
}

function triggerLine(trigger: Description['triggers'][number]): string {
  const body = trigger.definition.replace(/^CREATE (CONSTRAINT )?TRIGGER \S+ /, '');
  return `  ${trigger.name} ${body}${trigger.enabled === 'enabled' ? '' : ` (${trigger.enabled})`}`;
}

function maintenanceLine(maintenance: NonNullable<Description['maintenance']>): string {
  const when = (manual: string | null, auto: string | null) =>
    [manual && `${manual}`, auto && `auto ${auto}`].filter(Boolean).join(', ') || 'never (since the statistics reset)';
  return `Last analyze: ${when(maintenance.lastAnalyze, maintenance.lastAutoanalyze)}; last vacuum: ${when(maintenance.lastVacuum, maintenance.lastAutovacuum)}`;
}

/** A psql `\d+`-like layout: the header, columns, then each non-empty section. */
export function renderTableDescription(description: Description): RenderedText {
  const lines: string[] = [];
  const more = (key: keyof NonNullable<Description['omitted']>) => {
    const left = description.omitted?.[key];
    if (left) lines.push(`  ... and ${left} more (list capped)`);
  };
  lines.push(`${description.kind} ${qualified(description.schema, description.name)} (owner ${description.owner})`);
  if (description.comment !== null) lines.push(`Comment: ${description.comment}`);
  if (description.foreignServer !== undefined) lines.push(`Foreign server: ${description.foreignServer}`);
  lines.push(`Columns (${description.columns.length}):`, ...columnLines(description));
  if (description.constraints.length > 0) {
    lines.push('Constraints:', ...description.constraints.map((constraint) => `  ${constraint.name} ${constraint.definition}`));
  }
  if (description.indexes.length > 0) {
    lines.push('Indexes:', ...description.indexes.map(indexLine));
    more('indexes');
  }
  if (description.referencedBy.length > 0) {
    lines.push('Referenced by:');
    for (const key of description.referencedBy) {
      const actions = [key.onUpdate === 'no action' ? '' : `ON UPDATE ${key.onUpdate.toUpperCase()}`, key.onDelete === 'no action' ? '' : `ON DELETE ${key.onDelete.toUpperCase()}`];
      const tail = [...actions, key.validated ? '' : 'NOT VALID'].filter(Boolean).join(' ');
      lines.push(`  ${qualified(key.schema, key.table)}(${key.columns.join(', ')}) -> (${key.referencedColumns.join(', ')}) ${key.name}${tail ? ` ${tail}` : ''}`);
    }
    more('referencedBy');
  }
  if (description.triggers.length > 0) {
    lines.push('Triggers:', ...description.triggers.map(triggerLine));
    more('triggers');
  }
  const security = description.rowSecurity;
  if (security.enabled || security.policies.length > 0) {
    lines.push(`Row-level security: ${security.enabled ? 'enabled' : 'disabled'}${security.forced ? ', forced' : ''}`);
    for (const policy of security.policies) {
      lines.push(`  policy ${policy.name} (${policy.permissive ? 'permissive' : 'restrictive'}, ${policy.command}, to ${policy.roles.join(', ')})`);
    }
    more('policies');
  }
  const partitioning = description.partitioning;
  if (partitioning?.parent) {
    lines.push(`Partition of: ${qualified(partitioning.parent.schema, partitioning.parent.name)} ${partitioning.parent.bound}`);
  }
  if (partitioning?.key !== undefined) lines.push(`Partition key: ${partitioning.key}`);
  if (partitioning?.partitions) {
    lines.push(`Partitions (${partitioning.partitions.length + (description.omitted?.partitions ?? 0)}):`);
    lines.push(...partitioning.partitions.map((part) => `  ${qualified(part.schema, part.name)} ${part.bound}${part.partitioned ? ' (partitioned)' : ''}`));
    more('partitions');
  }
  if (description.rowEstimate !== null || description.sizes) {
    const rows = description.rowEstimate === null ? 'rows: unknown (never analyzed)' : `rows: about ${description.rowEstimate}`;
    const sizes = description.sizes;
    const size = sizes
      ? `; size ${formatBytes(sizes.totalBytes)} (table ${formatBytes(sizes.tableBytes)}, indexes ${formatBytes(sizes.indexesBytes)}, toast ${formatBytes(sizes.toastBytes)})`
      : '';
    lines.push(`${rows[0]!.toUpperCase()}${rows.slice(1)}${size}`);
  }
  if (description.maintenance) lines.push(maintenanceLine(description.maintenance));
  lines.push(`Access: SELECT ${description.privileges.select ? 'granted' : 'NOT granted'} to this server's role`);
  if (description.view) {
    const cut = description.view.length > description.view.definition.length ? ` (cut; ${description.view.length} characters in all)` : '';
    const populated = description.view.populated === false ? ' (not populated: REFRESH MATERIALIZED VIEW before reading)' : '';
    lines.push(`View definition${cut}${populated}:`, description.view.definition);
  }
  const counts = [
    plural(description.columns.length, 'column'),
    plural(description.constraints.length, 'constraint'),
    plural(description.indexes.length + (description.omitted?.indexes ?? 0), 'index', 'indexes'),
    plural(description.triggers.length + (description.omitted?.triggers ?? 0), 'trigger'),
  ].join(', ');
  return {
    note: `Description of a ${description.kind} from database "${description.database}" (${counts}), laid out like psql \\d+. The structured result has every field.`,
    data: lines.join('\n'),
  };
}
