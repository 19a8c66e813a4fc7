import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConnector, defineTool, readOnly } from '@bastion-mcp/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { checkToolSnapshots } from '../src/index.js';

const tool = (name: string, description = `The ${name} tool, used by the snapshot tests.`) =>
  defineTool({ name, description, scopes: [], annotations: readOnly({ openWorld: false }), input: z.object({ id: z.string() }), handler: () => ({}) });
const connector = (...tools: ReturnType<typeof tool>[]) => defineConnector({ name: 'snaps', version: '1.0.0', description: 'd', tools });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bastion-snaps-'));
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('checkToolSnapshots', () => {
  it('writes missing snapshots outside CI and then matches them', () => {
    vi.stubEnv('CI', '');
    expect(checkToolSnapshots(connector(tool('get_a')), dir).written).toEqual(['get_a']);
    expect(readdirSync(dir)).toEqual(['get_a.snap.json']);
    expect(JSON.parse(readFileSync(join(dir, 'get_a.snap.json'), 'utf8'))).toMatchObject({ name: 'get_a', inputSchema: { required: ['id'] } });
    expect(checkToolSnapshots(connector(tool('get_a')), dir)).toEqual({ changed: [], missing: [], stale: [], written: [] });
  });

  it('reports changed, missing (in CI) and stale snapshots instead of rewriting them', () => {
    vi.stubEnv('CI', '');
    checkToolSnapshots(connector(tool('get_a'), tool('get_old')), dir);
    vi.stubEnv('CI', 'true');
    const report = checkToolSnapshots(connector(tool('get_a', 'A changed description of the tool.'), tool('get_new')), dir);
    expect(report).toEqual({ changed: ['get_a'], missing: ['get_new'], stale: ['get_old.snap.json'], written: [] });
  });

  it('rewrites snapshots with UPDATE_TOOLSNAPS=1', () => {
    writeFileSync(join(dir, 'get_a.snap.json'), '{}\n');
    vi.stubEnv('UPDATE_TOOLSNAPS', '1');
    expect(checkToolSnapshots(connector(tool('get_a')), dir).written).toEqual(['get_a']);
    expect(readFileSync(join(dir, 'get_a.snap.json'), 'utf8')).toContain('"name": "get_a"');
  });
});
