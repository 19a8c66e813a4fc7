import { untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { ALL_RELATION_KINDS } from '../../relation-arg.js';
import type { RelationKind } from '../../relation-arg.js';

/** Most items listed of each list that can grow long (columns are bounded by PostgreSQL at 1600). */
export const MAX_LISTED = 200;

/** Longest text kept of each kind of database text; longer ones end with "… [truncated]". */
export const MAX_NAME = 200;
export const MAX_COMMENT = 2000;
export const MAX_EXPRESSION = 2000;
export const MAX_VIEW_DEFINITION = 20_000;

const identifier = (description: string) => untrustedText({ description, maxLength: MAX_NAME });
const expression = (description: string) => untrustedText({ description, maxLength: MAX_EXPRESSION });
const comment = (description: string) => untrustedText({ description, maxLength: MAX_COMMENT });
const time = (description: string) => z.string().nullable().describe(`${description} (ISO 8601, UTC); null when never or not tracked`);

const FK_ACTIONS = ['no action', 'restrict', 'cascade', 'set null', 'set default'] as const;
export type ForeignKeyAction = (typeof FK_ACTIONS)[number];

const column = z.object({
  name: identifier('Column name'),
  type: identifier('Type as format_type writes it, e.g. `character varying(80)`, `shop.order_status`'),
  nullable: z.boolean().describe('False when NOT NULL'),
  default: expression('Default expression').optional(),
  identity: z.enum(['always', 'by default']).optional().describe('GENERATED ALWAYS / BY DEFAULT AS IDENTITY'),
  generated: z
    .object({
      kind: z.enum(['stored', 'virtual']).describe('How the generated value is kept'),
      expression: expression('The generation expression'),
    })
    .optional()
    .describe('A generated column: its value is computed, never written'),
  collation: identifier('Collation, when not the default of its type').optional(),
  comment: comment('COMMENT ON COLUMN').optional(),
  canSelect: z.literal(false).optional().describe('Present when the role may not SELECT this column'),
});

const constraint = z.object({
  name: identifier('Constraint name'),
  type: z.enum(['primary key', 'unique', 'foreign key', 'check', 'exclusion']).describe('Kind of constraint'),
  columns: z.array(identifier('Column')).describe('The constrained columns, in key order (a check lists the columns it reads)'),
  definition: expression('As pg_get_constraintdef writes it'),
  validated: z.boolean().describe('False for a constraint added NOT VALID and not validated since: existing rows may violate it'),
  deferrable: z.enum(['immediate', 'deferred']).optional().describe('Present when DEFERRABLE: INITIALLY IMMEDIATE or DEFERRED'),
  references: z
    .object({
      schema: identifier('Referenced schema'),
      table: identifier('Referenced table'),
      columns: z.array(identifier('Referenced column')).describe('Matching `columns` one to one'),
      onUpdate: z.enum(FK_ACTIONS).describe('ON UPDATE action'),
      onDelete: z.enum(FK_ACTIONS).describe('ON DELETE action'),
    })
    .optional()
    .describe('For a foreign key: the table and columns it points to'),
});

const incomingForeignKey = z.object({
  name: identifier('Constraint name'),
  schema: identifier('Schema of the referencing table'),
  table: identifier('The referencing table'),
  columns: z.array(identifier('Referencing column')).describe('Columns of the referencing table'),
  referencedColumns: z.array(identifier('Column of this table')).describe('Columns of this table they point to'),
  onUpdate: z.enum(FK_ACTIONS).describe('ON UPDATE action'),
  onDelete: z.enum(FK_ACTIONS).describe('ON DELETE action'),
  validated: z.boolean().describe('False when added NOT VALID and not validated since'),
});

const index = z.object({
  name: identifier('Index name'),
  definition: expression('As pg_get_indexdef writes it (CREATE INDEX ...)'),
  method: identifier('Access method: btree, hash, gin, gist, brin...'),
  unique: z.boolean().describe('A unique index'),
  primary: z.boolean().describe('The primary key index'),
  valid: z.boolean().describe('False when the index is not usable (a failed CREATE INDEX CONCURRENTLY): the planner ignores it'),
  predicate: expression('WHERE clause of a partial index').optional(),
  constraint: identifier('The constraint this index enforces').optional(),
  sizeBytes: z.number().describe('On-disk size (for a partitioned index: summed over its partitions)'),
  scans: z.number().nullable().describe('Index scans since statistics were last reset (pg_stat_user_indexes); null when not tracked'),
});

const trigger = z.object({
  name: identifier('Trigger name'),
  timing: z.enum(['before', 'after', 'instead of']).describe('When it fires'),
  events: z.array(z.enum(['insert', 'update', 'delete', 'truncate'])).describe('The events that fire it'),
  level: z.enum(['row', 'statement']).describe('FOR EACH ROW or FOR EACH STATEMENT'),
  function: identifier('The trigger function, schema-qualified'),
  enabled: z.enum(['enabled', 'disabled', 'replica', 'always']).describe('enabled (origin and local sessions), disabled, replica (only when replicating) or always'),
  definition: expression('As pg_get_triggerdef writes it'),
});

const policy = z.object({
  name: identifier('Policy name'),
  command: z.enum(['all', 'select', 'insert', 'update', 'delete']).describe('The command it applies to'),
  permissive: z.boolean().describe('True for PERMISSIVE (combined with OR), false for RESTRICTIVE (AND)'),
  roles: z.array(identifier('Role')).describe('Roles it applies to; PUBLIC means every role'),
});

const partition = z.object({
  schema: identifier('Schema'),
  name: identifier('Partition'),
  bound: expression('Its partition bound, e.g. FOR VALUES FROM (...) TO (...)'),
  partitioned: z.boolean().describe('True when it is itself partitioned'),
});

export const tableDescriptionOutput = z.object({
  database: z.string().describe('The configured database that answered'),
  schema: identifier('Schema'),
  name: identifier('Table, view or materialized view name'),
  kind: z.enum(ALL_RELATION_KINDS as [RelationKind, ...RelationKind[]]).describe('What it is'),
  owner: identifier('Owning role'),
  comment: comment('COMMENT ON the table or view').nullable(),
  columns: z.array(column).describe('Every column, in table order'),
  constraints: z.array(constraint).describe('Primary key, unique, foreign key, check and exclusion constraints (NOT NULL is on the columns)'),
  referencedBy: z.array(incomingForeignKey).describe('Foreign keys of other tables (or this one) that point to this table'),
  indexes: z.array(index).describe('Indexes, the primary key first'),
  triggers: z.array(trigger).describe("User triggers (PostgreSQL's internal ones, e.g. for foreign keys, left out)"),
  rowEstimate: z
    .number()
    .nullable()
    .describe("The planner's row count estimate (pg_class.reltuples, summed over partitions); null when never analyzed or vacuumed, and for views"),
  sizes: z
    .object({
      tableBytes: z.number().describe('The table itself (heap, free space map, visibility map)'),
      indexesBytes: z.number().describe('All its indexes'),
      toastBytes: z.number().describe('Its TOAST table (out-of-line values) with its index'),
      totalBytes: z.number().describe('All of the above'),
    })
    .nullable()
    .describe('On-disk sizes (for a partitioned table: summed over its partitions); null for views and foreign tables'),
  maintenance: z
    .object({
      lastVacuum: time('Last manual VACUUM'),
      lastAutovacuum: time('Last autovacuum'),
      lastAnalyze: time('Last manual ANALYZE'),
      lastAutoanalyze: time('Last autoanalyze'),
    })
    .nullable()
    .describe('From pg_stat_user_tables since statistics were last reset; null for views'),
  rowSecurity: z
    .object({
      enabled: z.boolean().describe('ROW LEVEL SECURITY enabled'),
      forced: z.boolean().describe('FORCE ROW LEVEL SECURITY: applies to the owner too'),
      policies: z.array(policy).describe('Its policies (they apply only while enabled)'),
    })
    .describe('Row-level security: when enabled, queries see only the rows its policies allow'),
  partitioning: z
    .object({
      key: expression('PARTITION BY clause, for a partitioned table').optional(),
      partitions: z.array(partition).optional().describe('Its partitions'),
      parent: z
        .object({ schema: identifier('Schema'), name: identifier('Parent table'), bound: expression('This partition’s bound') })
        .optional()
        .describe('For a partition: the partitioned table it belongs to'),
    })
    .optional()
    .describe('Present for a partitioned table or a partition'),
  view: z
    .object({
      definition: untrustedText({ description: 'The query, as pg_get_viewdef writes it', maxLength: MAX_VIEW_DEFINITION }),
      length: z.number().int().describe('Length of the whole definition in characters; longer than the definition when it was cut'),
      populated: z.boolean().optional().describe('For a materialized view: false until it is first refreshed (reading it then fails)'),
    })
    .optional()
    .describe('For a view or materialized view'),
  foreignServer: identifier('For a foreign table: its foreign server').optional(),
  privileges: z
    .object({
      select: z.boolean().describe("Whether this server's role may SELECT from it: SELECT on it and USAGE on its schema (column grants aside; see columns[].canSelect)"),
    })
    .describe("This server's role on it"),
  omitted: z
    .object({
      referencedBy: z.number().int().optional(),
      indexes: z.number().int().optional(),
      triggers: z.number().int().optional(),
      policies: z.number().int().optional(),
      partitions: z.number().int().optional(),
    })
    .optional()
    .describe('How many items of each long list were left out (each list is capped; see the tool description)'),
});

export type TableDescription = z.input<typeof tableDescriptionOutput>;
export type TableColumn = z.input<typeof column>;
export type TableConstraint = z.input<typeof constraint>;
export type IncomingForeignKey = z.input<typeof incomingForeignKey>;
export type TableIndex = z.input<typeof index>;
export type TableTrigger = z.input<typeof trigger>;
export type TablePolicy = z.input<typeof policy>;
export type TablePartition = z.input<typeof partition>;
