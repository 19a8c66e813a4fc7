import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderReadmeSections, syncReadme } from '../src/index.js';
import { demoConnector } from './support/demo-connector.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bastion-readme-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('README sections generated from the connector', () => {
  it('list every tool with its arguments and every setting with flag, env and default', () => {
    const { tools, settings } = renderReadmeSections(demoConnector() as never);
    expect(tools).toContain('| `get_item` | Get one item by its numeric id.');
    expect(tools).toContain('`id`*');
    expect(tools).toMatch(/\| `delete_item` \|.*\| no \| `items:write` \|/);
    expect(settings).toContain('| (env only) | `DEMO_API_KEY` | — | Demo key (required) (secret) |');
    expect(settings).toContain('| `--items` | `DEMO_ITEMS` | `25` |');
    expect(settings).toContain('| `--port` | `BASTION_PORT` | `8080` |');
  });

  it('report stale or missing sections, and rewrite them on request', () => {
    const readme = join(dir, 'README.md');
    writeFileSync(readme, '# Demo\n\n<!-- bastion:tools -->\nold\n<!-- /bastion:tools -->\n\nprose stays\n');
    expect(syncReadme(demoConnector(), readme, false)).toEqual(['tools', 'settings']);
    writeFileSync(readme, `${readFileSync(readme, 'utf8')}\n<!-- bastion:settings -->\n<!-- /bastion:settings -->\n`);
    syncReadme(demoConnector(), readme, true);
    expect(syncReadme(demoConnector(), readme, false)).toEqual([]);
    expect(readFileSync(readme, 'utf8')).toContain('prose stays');
  });
});
