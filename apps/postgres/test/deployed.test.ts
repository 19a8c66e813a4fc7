// The built bastion-postgres bin as operators run it (stdout a pipe, audit log in a file; over HTTP
// with tokens, a policy file and Redis-backed rate limits), every tool called on the test cluster
// as the read-only role. Run with BASTION_TEST_IMAGE set (scripts/image/test-images.sh), the same
// cases run against the image, which reaches the cluster over the host's network.
import { fileURLToPath } from 'node:url';
import { describeDeployed } from '@bastion-mcp/testing';
import { inject } from 'vitest';
import { connector } from '../src/connector.js';

const missingTable = /no_such_table|does not exist|not found/i;
const unknownDatabase = { database: 'no_such_database' };

describeDeployed(connector, {
  bin: fileURLToPath(new URL('../dist/index.js', import.meta.url)),
  setup: () => ({ env: { POSTGRES_URL: inject('readerUrl') } }),
  policy: { tool: 'sample_rows', argument: 'schema', allow: ['shop'], denied: { table: 'orders', schema: 'public' } },
  calls: {
    query: { valid: { sql: 'select count(*) as orders from shop.orders' }, refused: { sql: 'DROP TABLE shop.orders' }, refusal: /read-only|not allowed|DROP/i },
    sample_rows: { valid: { table: 'orders', schema: 'shop', limit: 2 }, refused: { table: 'no_such_table', schema: 'shop' }, refusal: missingTable },
    list_databases: { valid: {}, refused: unknownDatabase },
    list_schemas: { valid: {}, refused: { cursor: 'not-a-cursor' }, refusal: /cursor/i },
    list_objects: { valid: { schema: 'shop' }, refused: { types: ['index'] } },
    search_schema: { valid: { query: 'order' }, refused: { query: '' } },
    list_relationships: { valid: { table: 'shop.orders' }, refused: { table: 'shop.no_such_table' }, refusal: missingTable },
    describe_table: { valid: { table: 'shop.orders' }, refused: { table: 'shop.no_such_table' }, refusal: missingTable },
    get_column_stats: { valid: { table: 'shop.orders' }, refused: { table: 'shop.orders', columns: ['no_such_column'] }, refusal: /no_such_column/ },
    explain: { valid: { sql: 'select * from shop.orders where id = 1' }, refused: { sql: 'DELETE FROM shop.orders' }, refusal: /read-only|not allowed|DELETE|SELECT/i },
    top_queries: { valid: {}, refused: { sort_by: 'bogus' } },
    active_queries: { valid: {}, refused: unknownDatabase, refusal: /no_such_database/ },
    locks: { valid: {}, refused: { limit: 1000 } },
    db_health: { valid: {}, refused: { checks: ['bogus'] } },
    list_settings: { valid: { name: 'work_mem' }, refused: unknownDatabase, refusal: /no_such_database/ },
    list_extensions: { valid: {}, refused: { cursor: 'not-a-cursor' }, refusal: /cursor/i },
  },
});
