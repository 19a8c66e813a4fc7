// describe_table against the sample data and a fresh database holding every kind of feature it
// reports, as the least-privilege reader.
import { textOf } from '@bastion-mcp/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../src/db/session.js';
import { resolveRelation } from '../src/tools/relation-arg.js';
import { describeRelation } from '../src/tools/schema/table-description.js';
import type { TableDescription } from '../src/tools/schema/table-description.js';
import { connectAs, type FreshDatabase } from './support/pg.js';
import { freshPostgres, openPostgres } from './support/server.js';
import type { PostgresSession } from './support/server.js';

type Description = TableDescription & { columns: NonNullable<TableDescription['columns']> };

describe('describe_table on the sample data', () => {
  let db: PostgresSession;
  beforeAll(async () => {
    db = await openPostgres();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('describes shop.orders: columns in order, constraints, indexes, triggers, estimates', async () => {
    const orders = await db.ok<Description>('describe_table', { table: 'shop.orders' });
    expect(orders).toMatchObject({ database: 'default', schema: 'shop', name: 'orders', kind: 'table', owner: 'postgres', comment: 'One row per checkout.' });
    expect(orders.columns.map((column) => column.name)).toEqual([
      'id', 'customer_id', 'status', 'invoice_number', 'shipping_address', 'note', 'ordered_at', 'shipped_at', 'updated_at',
    ]);
    expect(orders.columns[0]).toEqual({ name: 'id', type: 'bigint', nullable: false, identity: 'by default' });
    expect(orders.columns[2]).toEqual({
      name: 'status',
      type: 'shop.order_status',
      nullable: false,
      default: "'pending'::shop.order_status",
      comment: 'Lifecycle: pending -> paid -> shipped -> delivered, or cancelled.',
    });
    expect(orders.columns[3]).toMatchObject({ name: 'invoice_number', default: "nextval('shop.invoice_number_seq'::regclass)" });
    expect(orders.columns[5]).toEqual({ name: 'note', type: 'text', nullable: true });

    expect(orders.constraints).toEqual([
      { name: 'orders_pkey', type: 'primary key', columns: ['id'], definition: 'PRIMARY KEY (id)', validated: true },
      { name: 'orders_invoice_number_key', type: 'unique', columns: ['invoice_number'], definition: 'UNIQUE (invoice_number)', validated: true },
      {
        name: 'orders_customer_id_fkey',
        type: 'foreign key',
        columns: ['customer_id'],
        definition: 'FOREIGN KEY (customer_id) REFERENCES shop.customers(id)',
        validated: true,
        references: { schema: 'shop', table: 'customers', columns: ['id'], onUpdate: 'no action', onDelete: 'no action' },
      },
      {
        name: 'orders_shipped_after_ordered',
        type: 'check',
        columns: ['shipped_at', 'ordered_at'],
        definition: 'CHECK (shipped_at IS NULL OR shipped_at >= ordered_at)',
        validated: true,
      },
    ]);
    expect(orders.referencedBy).toEqual([
      {
        name: 'order_items_order_id_fkey',
        schema: 'shop',
        table: 'order_items',
        columns: ['order_id'],
        referencedColumns: ['id'],
        onUpdate: 'no action',
        onDelete: 'cascade',
        validated: true,
      },
    ]);

    expect(orders.indexes.map((index) => index.name)).toEqual([
      'orders_pkey', 'orders_customer_id_ordered_at_idx', 'orders_invoice_number_key', 'orders_pending_ordered_at_idx',
    ]);
    expect(orders.indexes[0]).toMatchObject({ primary: true, unique: true, valid: true, method: 'btree', constraint: 'orders_pkey', definition: 'CREATE UNIQUE INDEX orders_pkey ON shop.orders USING btree (id)' });
    expect(orders.indexes[3]).toMatchObject({ unique: false, primary: false, predicate: "status = 'pending'::shop.order_status" });
    expect(orders.indexes[3]).not.toHaveProperty('constraint');
    for (const index of orders.indexes) {
      expect(index.sizeBytes).toBeGreaterThan(0);
      expect(typeof index.scans).toBe('number');
    }

    expect(orders.triggers).toEqual([
      {
        name: 'orders_set_updated_at',
        timing: 'before',
        events: ['update'],
        level: 'row',
        function: 'shop.set_updated_at',
        enabled: 'enabled',
        definition: 'CREATE TRIGGER orders_set_updated_at BEFORE UPDATE ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.set_updated_at()',
      },
    ]);
    expect(orders.rowEstimate).toBe(1200);
    const sizes = orders.sizes!;
    expect(sizes.tableBytes).toBeGreaterThan(0);
    expect(sizes.indexesBytes).toBe(orders.indexes.reduce((sum, index) => sum + index.sizeBytes, 0));
    expect(sizes.totalBytes).toBe(sizes.tableBytes + sizes.indexesBytes + sizes.toastBytes);
    expect(orders.maintenance).toEqual(expect.objectContaining({ lastVacuum: null }));
    expect(orders.rowSecurity).toEqual({ enabled: false, forced: false, policies: [] });
    expect(orders.privileges).toEqual({ select: true });
    expect(orders).not.toHaveProperty('partitioning');
    expect(orders).not.toHaveProperty('view');
    expect(orders).not.toHaveProperty('omitted');
  });

  it('lists the tables that reference a table, and composite keys in key order', async () => {
    const countries = await db.ok<Description>('describe_table', { table: 'countries' });
    expect(countries.referencedBy).toEqual([expect.objectContaining({ schema: 'shop', table: 'customers', columns: ['country_code'], referencedColumns: ['code'] })]);
    expect(countries.columns[0]).toEqual({ name: 'code', type: 'character(2)', nullable: false });
    const items = await db.ok<Description>('describe_table', { table: 'shop.order_items' });
    expect(items.constraints.find((constraint) => constraint.type === 'primary key')).toMatchObject({ columns: ['order_id', 'line_number'] });
    expect(items.constraints.find((constraint) => constraint.name === 'order_items_order_id_fkey')?.references).toMatchObject({ onDelete: 'cascade' });
    expect(items.columns.find((column) => column.name === 'discount')).toMatchObject({ type: 'numeric(3,2)', default: '0', comment: 'Fraction taken off the line, 0.10 = 10 %.' });
  });

  it('describes a view with its definition and no storage', async () => {
    const view = await db.ok<Description>('describe_table', { table: 'shop.order_totals' });
    expect(view).toMatchObject({ kind: 'view', rowEstimate: null, sizes: null, maintenance: null, constraints: [], indexes: [], referencedBy: [] });
    expect(view.columns.map((column) => column.name)).toEqual(['order_id', 'customer_id', 'status', 'ordered_at', 'item_count', 'total']);
    expect(view.view!.definition).toMatch(/FROM shop\.orders o\s+JOIN shop\.order_items i ON i\.order_id = o\.id/);
    expect(view.view!.length).toBe(view.view!.definition.length);
    expect(view.view).not.toHaveProperty('populated');
  });

  it('describes a materialized view: definition, populated, index, estimate', async () => {
    const matview = await db.ok<Description>('describe_table', { table: 'shop.monthly_revenue' });
    expect(matview).toMatchObject({ kind: 'materialized view', view: { populated: true } });
    expect(matview.view!.definition).toContain('FROM shop.order_totals');
    expect(matview.indexes).toEqual([expect.objectContaining({ name: 'monthly_revenue_month_idx', unique: true })]);
    expect(matview.rowEstimate).toBe(12);
    expect(matview.sizes!.totalBytes).toBeGreaterThan(0);
  });

  it('refuses unknown and ambiguous names with what to pass instead', async () => {
    expect(await db.refused('describe_table', { table: 'shop.custmers' })).toMatch(/`table`: no table, view or materialized view "custmers" in schema "shop"/);
    expect(await db.refused('describe_table', { table: 'customer' })).toMatch(/Similar names: shop\.customers/);
    expect(await db.refused('describe_table', { table: 'orders' })).toMatch(/several schemas \(analytics\.orders, shop\.orders\)/);
    await expect(db.ok('describe_table', { table: 'orders', schema: 'analytics' })).resolves.toMatchObject({ schema: 'analytics', comment: expect.stringContaining('Daily rollup') });
    expect(await db.refused('describe_table', { table: 'shop.orders', database: 'other' })).toMatch(/`database` "other" is not configured/);
  });

  it('renders a compact psql-like text, with the data fenced and the note outside', async () => {
    const result = await db.call('describe_table', { table: 'shop.orders' });
    const text = textOf(result);
    const [note, ...rest] = text.split('\n');
    expect(note).toMatch(/^Description of a table from database "default" \(9 columns, 4 constraints, 4 indexes, 1 trigger\)/);
    const body = rest.join('\n');
    expect(body).toMatch(/^Untrusted data from postgres\/describe_table/);
    expect(body).toContain('table shop.orders (owner postgres)');
    expect(body).toMatch(/\n {2}status +shop\.order_status +not null default 'pending'::shop\.order_status -- Lifecycle/);
    expect(body).toMatch(/\n {2}orders_pkey PRIMARY KEY btree \(id\) \[\d+ kB, \d+ scans?\]/);
    expect(body).toContain("orders_pending_ordered_at_idx btree (ordered_at) WHERE (status = 'pending'::shop.order_status)");
    expect(body).toContain('shop.order_items(order_id) -> (id) order_items_order_id_fkey ON DELETE CASCADE');
    expect(body).toContain('orders_set_updated_at BEFORE UPDATE ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.set_updated_at()');
    expect(body).toMatch(/Rows: about 1200; size \d+ kB \(table \d+ kB, indexes \d+ kB, toast \d+ bytes\)/);
    expect(body).toContain("Access: SELECT granted to this server's role");
    expect(text.length).toBeLessThan(4000);
  });
});

describe('describe_table on a fresh database', () => {
  let database: FreshDatabase;
  let db: PostgresSession;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ database, db, close } = await freshPostgres('describe_table_fresh', async (owner) => {
      await owner.query(`
        -- 200 columns of several kinds, created in one statement.
        DO $$ BEGIN
          EXECUTE 'CREATE TABLE public.wide (' || (
            SELECT string_agg(format('c%s %s', i,
              CASE i % 4 WHEN 0 THEN 'integer NOT NULL DEFAULT ' || i WHEN 1 THEN 'text' WHEN 2 THEN 'numeric(12,' || (i % 5) || ')' ELSE 'timestamptz' END), ', ' ORDER BY i)
            FROM generate_series(1, 200) AS i) || ')';
        END $$;
        COMMENT ON COLUMN public.wide.c77 IS 'column seventy-seven';

        CREATE TABLE public.features (
          id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          code text COLLATE "C" NOT NULL,
          price numeric NOT NULL,
          price_with_tax numeric GENERATED ALWAYS AS (price * 1.2) STORED,
          during tstzrange,
          parent_id integer,
          CONSTRAINT features_code_key UNIQUE (code) DEFERRABLE INITIALLY DEFERRED,
          CONSTRAINT features_no_overlap EXCLUDE USING gist (during WITH &&)
        );
        ALTER TABLE public.features ADD CONSTRAINT features_price_check CHECK (price > 0) NOT VALID;
        ALTER TABLE public.features ADD CONSTRAINT features_parent_fkey FOREIGN KEY (parent_id) REFERENCES public.features (id) ON UPDATE CASCADE ON DELETE SET NULL NOT VALID;
        CREATE FUNCTION public.noop() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RETURN NULL; END $f$;
        CREATE TRIGGER features_audit AFTER INSERT OR DELETE ON public.features FOR EACH STATEMENT EXECUTE FUNCTION public.noop();
        CREATE TRIGGER features_truncate BEFORE TRUNCATE ON public.features EXECUTE FUNCTION public.noop();
        ALTER TABLE public.features DISABLE TRIGGER features_truncate;
        ALTER TABLE public.features ENABLE ROW LEVEL SECURITY;
        ALTER TABLE public.features FORCE ROW LEVEL SECURITY;
        CREATE POLICY readers_see_cheap ON public.features AS RESTRICTIVE FOR SELECT TO bastion_reader USING (price < 100);
        CREATE POLICY everyone ON public.features USING (true);
        COMMENT ON TABLE public.features IS E'Looks \\u200Bharmless\\u202E \\u001b[31mred\\u001b[0m text';

        CREATE TABLE public.events (id bigint NOT NULL, at date NOT NULL, kind text NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
        CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') PARTITION BY RANGE (at);
        CREATE TABLE public.events_2025_h1 PARTITION OF public.events_2025 FOR VALUES FROM ('2025-01-01') TO ('2025-07-01');
        CREATE TABLE public.events_2025_h2 PARTITION OF public.events_2025 FOR VALUES FROM ('2025-07-01') TO ('2026-01-01');
        CREATE TABLE public.events_other PARTITION OF public.events DEFAULT;
        INSERT INTO public.events SELECT i, date '2024-01-01' + i % 700, CASE WHEN i % 2 = 0 THEN 'click' ELSE 'view' END FROM generate_series(1, 1000) i;
        ANALYZE public.events_2024, public.events_2025_h1, public.events_2025_h2, public.events_other;
        CREATE TABLE public.event_notes (event_id bigint, event_at date, FOREIGN KEY (event_id, event_at) REFERENCES public.events (id, at));
        CREATE TABLE public.tagged (id bigint, at date, kind text) PARTITION BY LIST (kind);
        CREATE TABLE public.tagged_a PARTITION OF public.tagged FOR VALUES IN ('a');
        ALTER TABLE public.tagged ADD FOREIGN KEY (id, at) REFERENCES public.events (id, at);

        CREATE TABLE public."Odd ""name"".x" ("Mixed Case" int, "tab	col" text);
        CREATE TABLE public.never_analyzed (a int) WITH (autovacuum_enabled = off);
        CREATE TABLE public.secret (visible int, hidden int);
        REVOKE SELECT ON public.secret FROM bastion_reader;
        GRANT SELECT (visible) ON public.secret TO bastion_reader;

        CREATE FOREIGN DATA WRAPPER dummy_fdw;
        CREATE SERVER dummy_server FOREIGN DATA WRAPPER dummy_fdw;
        CREATE FOREIGN TABLE public.remote (a int) SERVER dummy_server;

        CREATE TABLE public.many_indexes (a int);
        DO $$ BEGIN FOR i IN 1..205 LOOP EXECUTE format('CREATE INDEX many_%s ON public.many_indexes (a)', lpad(i::text, 3, '0')); END LOOP; END $$;
      `);
      await owner.query(`CREATE VIEW public.long_view AS SELECT '${'x'.repeat(30_000)}'::text AS long_text`);
    }));
  });

  afterAll(() => close?.());

  it('describes a 200-column table correctly in a fixed handful of queries', async () => {
    const wide = await db.ok<Description>('describe_table', { table: 'wide' });
    expect(wide.columns).toHaveLength(200);
    expect(wide.columns.map((column) => column.name)).toEqual(Array.from({ length: 200 }, (_, i) => `c${i + 1}`));
    expect(wide.columns[0]).toEqual({ name: 'c1', type: 'text', nullable: true });
    expect(wide.columns[1]).toEqual({ name: 'c2', type: 'numeric(12,2)', nullable: true });
    expect(wide.columns[2]).toEqual({ name: 'c3', type: 'timestamp with time zone', nullable: true });
    expect(wide.columns[3]).toEqual({ name: 'c4', type: 'integer', nullable: false, default: '4' });
    expect(wide.columns[199]).toEqual({ name: 'c200', type: 'integer', nullable: false, default: '200' });
    expect(wide.columns[76]).toMatchObject({ name: 'c77', comment: 'column seventy-seven' });
    expect(wide.rowEstimate).toBeNull();

    const client = await connectAs(database.readerUrl);
    try {
      let queries = 0;
      const session = new Session(client as unknown as pg.PoolClient);
      const counting = Object.assign(Object.create(session) as Session, {
        query: (text: string, values?: readonly unknown[]) => {
          queries += 1;
          return session.query(text, values);
        },
      });
      const relation = await resolveRelation(counting, { table: 'public.wide' });
      const before = queries;
      const described = await describeRelation(counting, 'default', relation);
      expect(described.columns).toHaveLength(200);
      expect(queries - before).toBeLessThanOrEqual(8);
    } finally {
      await client.end();
    }
  });

  it('reports identity, generated, collation, deferrable, exclusion, NOT VALID, triggers and row security', async () => {
    const features = await db.ok<Description>('describe_table', { table: 'public.features' });
    expect(features.comment).toBe('Looks harmless red text');
    const byName = Object.fromEntries(features.columns.map((column) => [column.name, column]));
    expect(byName.id).toEqual({ name: 'id', type: 'integer', nullable: false, identity: 'always' });
    expect(byName.code).toEqual({ name: 'code', type: 'text', nullable: false, collation: 'C' });
    expect(byName.price_with_tax).toEqual({ name: 'price_with_tax', type: 'numeric', nullable: true, generated: { kind: 'stored', expression: 'price * 1.2' } });
    const constraints = Object.fromEntries(features.constraints.map((constraint) => [constraint.name, constraint]));
    expect(constraints.features_code_key).toMatchObject({ type: 'unique', deferrable: 'deferred', validated: true });
    expect(constraints.features_no_overlap).toMatchObject({ type: 'exclusion', columns: ['during'], definition: 'EXCLUDE USING gist (during WITH &&)' });
    expect(constraints.features_price_check).toMatchObject({ type: 'check', validated: false, definition: 'CHECK (price > 0::numeric) NOT VALID' });
    expect(constraints.features_parent_fkey).toMatchObject({
      type: 'foreign key',
      validated: false,
      references: { schema: 'public', table: 'features', columns: ['id'], onUpdate: 'cascade', onDelete: 'set null' },
    });
    expect(features.referencedBy).toEqual([expect.objectContaining({ name: 'features_parent_fkey', table: 'features', validated: false, onDelete: 'set null' })]);
    expect(features.constraints.map((constraint) => constraint.type)).toEqual(['primary key', 'unique', 'foreign key', 'check', 'exclusion']);
    expect(features.triggers).toEqual([
      expect.objectContaining({ name: 'features_audit', timing: 'after', events: ['insert', 'delete'], level: 'statement', function: 'public.noop', enabled: 'enabled' }),
      expect.objectContaining({ name: 'features_truncate', timing: 'before', events: ['truncate'], level: 'statement', enabled: 'disabled' }),
    ]);
    expect(features.rowSecurity).toEqual({
      enabled: true,
      forced: true,
      policies: [
        { name: 'everyone', command: 'all', permissive: true, roles: ['PUBLIC'] },
        { name: 'readers_see_cheap', command: 'select', permissive: false, roles: ['bastion_reader'] },
      ],
    });
    expect(features.indexes.map((index) => index.name).sort()).toEqual(['features_code_key', 'features_no_overlap', 'features_pkey']);
    expect(features.indexes.find((index) => index.name === 'features_no_overlap')).toMatchObject({ method: 'gist', constraint: 'features_no_overlap' });

    const text = textOf(await db.call('describe_table', { table: 'public.features' }));
    expect(text).toContain('Row-level security: enabled, forced');
    expect(text).toContain('policy readers_see_cheap (restrictive, select, to bastion_reader)');
    expect(text).toContain('features_truncate BEFORE TRUNCATE ON public.features FOR EACH STATEMENT EXECUTE FUNCTION noop() (disabled)');
    expect(text).not.toMatch(/[\u200B\u202E\u001B]/);
  });

  it('describes a partitioned table: key, partitions (default last), sizes and estimate summed; and a partition its parent', async () => {
    const events = await db.ok<Description>('describe_table', { table: 'public.events' });
    expect(events.kind).toBe('partitioned table');
    expect(events.partitioning).toEqual({
      key: 'RANGE (at)',
      partitions: [
        { schema: 'public', name: 'events_2024', bound: "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')", partitioned: false },
        { schema: 'public', name: 'events_2025', bound: "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')", partitioned: true },
        { schema: 'public', name: 'events_other', bound: 'DEFAULT', partitioned: false },
      ],
    });
    expect(events.rowEstimate).toBe(1000);
    expect(events.sizes!.tableBytes).toBeGreaterThan(0);
    expect(events.sizes!.indexesBytes).toBeGreaterThan(0);
    expect(events.indexes).toEqual([expect.objectContaining({ name: 'events_pkey', primary: true, sizeBytes: events.sizes!.indexesBytes })]);
    // One incoming key per referencing table, not one more per partition of either side.
    expect(events.referencedBy.map((key) => `${key.table}:${key.columns.join(',')}`)).toEqual(['event_notes:event_id,event_at', 'tagged:id,at']);

    const partition = await db.ok<Description>('describe_table', { table: 'public.events_2025' });
    expect(partition.partitioning).toEqual({
      key: 'RANGE (at)',
      partitions: [
        { schema: 'public', name: 'events_2025_h1', bound: "FOR VALUES FROM ('2025-01-01') TO ('2025-07-01')", partitioned: false },
        { schema: 'public', name: 'events_2025_h2', bound: "FOR VALUES FROM ('2025-07-01') TO ('2026-01-01')", partitioned: false },
      ],
      parent: { schema: 'public', name: 'events', bound: "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')" },
    });
    const tagged = await db.ok<Description>('describe_table', { table: 'public.tagged' });
    expect(tagged.constraints.filter((constraint) => constraint.type === 'foreign key')).toEqual([
      expect.objectContaining({ references: expect.objectContaining({ table: 'events', columns: ['id', 'at'] }) }),
    ]);
    const text = textOf(await db.call('describe_table', { table: 'public.events' }));
    expect(text).toContain('Partition key: RANGE (at)');
    expect(text).toContain('public.events_2025 FOR VALUES FROM');
  });

  it('handles odd names, never-analyzed tables, foreign tables and missing privileges', async () => {
    const odd = await db.ok<Description>('describe_table', { table: 'public."Odd ""name"".x"' });
    expect(odd.name).toBe('Odd "name".x');
    expect(odd.columns.map((column) => column.name)).toEqual(['Mixed Case', 'tab\tcol']);

    const never = await db.ok<Description>('describe_table', { table: 'never_analyzed' });
    expect(never.rowEstimate).toBeNull();
    expect(textOf(await db.call('describe_table', { table: 'never_analyzed' }))).toContain('Rows: unknown (never analyzed)');

    const remote = await db.ok<Description>('describe_table', { table: 'remote' });
    expect(remote).toMatchObject({ kind: 'foreign table', foreignServer: 'dummy_server', sizes: null, maintenance: null, rowEstimate: null });

    const secret = await db.ok<Description>('describe_table', { table: 'secret' });
    expect(secret.privileges).toEqual({ select: false });
    expect(secret.columns).toEqual([
      { name: 'visible', type: 'integer', nullable: true },
      { name: 'hidden', type: 'integer', nullable: true, canSelect: false },
    ]);
    expect(textOf(await db.call('describe_table', { table: 'secret' }))).toContain('Access: SELECT NOT granted');
  });

  it('reports virtual generated columns from PostgreSQL 18 on; below 18 the server refuses them, leaving none to report', async () => {
    const owner = await connectAs(database.superuserUrl);
    let version: number;
    let refusal: string | undefined;
    try {
      version = (await owner.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v")).rows[0]!.v;
      refusal = await owner
        .query('CREATE TABLE public.virtual_gen (a int, doubled int GENERATED ALWAYS AS (a * 2) VIRTUAL)')
        .then(() => undefined, (error: Error) => error.message);
    } finally {
      await owner.end();
    }
    if (version >= 180000) {
      expect(refusal).toBeUndefined();
      const described = await db.ok<Description>('describe_table', { table: 'virtual_gen' });
      expect(described.columns[1]).toEqual({ name: 'doubled', type: 'integer', nullable: true, generated: { kind: 'virtual', expression: 'a * 2' } });
    } else {
      expect(refusal).toBe('syntax error at or near "VIRTUAL"');
      expect(await db.refused('describe_table', { table: 'virtual_gen' })).toMatch(/`table`: no table, view or materialized view "virtual_gen"/);
    }
  });

  it('cuts long view definitions and long lists, and says so', async () => {
    const view = await db.ok<Description>('describe_table', { table: 'long_view' });
    expect(view.view!.definition.length).toBe(20_000);
    expect(view.view!.definition.endsWith('… [truncated]')).toBe(true);
    expect(view.view!.length).toBeGreaterThan(30_000);
    expect(textOf(await db.call('describe_table', { table: 'long_view' }))).toMatch(/View definition \(cut; \d+ characters in all\)/);
    expect(view.columns).toEqual([{ name: 'long_text', type: 'text', nullable: true }]);

    const many = await db.ok<Description>('describe_table', { table: 'many_indexes' });
    expect(many.indexes).toHaveLength(200);
    expect(many.indexes[0]!.name).toBe('many_001');
    expect(many.omitted).toEqual({ indexes: 5 });
    expect(textOf(await db.call('describe_table', { table: 'many_indexes' }))).toContain('... and 5 more (list capped)');
  });
});
