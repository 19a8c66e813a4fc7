import { isValidScope } from '@bastion-mcp/auth';
import { TOOL_NAME_PATTERN, prepareTool } from '@bastion-mcp/core';
import type { Connector } from '@bastion-mcp/core';
import { describe, expect, it } from 'vitest';
import { createTestClient } from './test-client.js';
import { syncReadme } from './readme.js';
import { checkToolSnapshots } from './toolsnaps.js';

export interface ConformanceOptions {
  /** Directory of tool snapshots, usually `new URL('./__toolsnaps__', import.meta.url)` as a path. */
  snapshotDir?: string;
  /** Environment the connector needs to start (fake upstream URLs, dummy credentials). */
  env?: Record<string, string>;
  /** Every tool must declare an output schema (true for connectors, false for fixtures). */
  requireOutputSchema?: boolean;
  /** The connector's README, whose generated tools and settings sections must be current. */
  readme?: string;
}

const HINTS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const;

/**
 * The static checks every connector's test suite runs: names, descriptions, all four
 * annotation hints, scopes, schemas that convert to JSON Schema objects, a deterministic
 * tools/list, read-only mode that lists no write tool, and tool snapshots.
 */
export function runConformance<Ctx>(connector: Connector<Ctx>, options: ConformanceOptions = {}): void {
  const subject = connector as unknown as Connector<unknown>;
  const requireOutput = options.requireOutputSchema ?? true;

  describe(`${subject.name} conformance`, () => {
    it('declares at least one tool', () => {
      expect(subject.tools.length).toBeGreaterThan(0);
    });

    for (const tool of subject.tools) {
      describe(`tool ${tool.name}`, () => {
        it('has a snake_case name and a useful description', () => {
          expect(tool.name).toMatch(TOOL_NAME_PATTERN);
          expect(tool.description.length).toBeGreaterThanOrEqual(20);
          expect(tool.description.length).toBeLessThanOrEqual(1024);
          expect(tool.description.trim().toLowerCase()).not.toBe(tool.name.replace(/_/g, ' '));
        });

        it('sets all four annotation hints consistently', () => {
          for (const hint of HINTS) expect(typeof tool.annotations[hint], hint).toBe('boolean');
          if (tool.annotations.readOnlyHint) expect(tool.annotations.destructiveHint).toBe(false);
        });

        it('declares valid scopes', () => {
          expect(Array.isArray(tool.scopes)).toBe(true);
          for (const scope of tool.scopes) expect(isValidScope(scope), scope).toBe(true);
        });

        it('has schemas that convert to JSON Schema objects', () => {
          const { definition } = prepareTool(tool);
          expect(definition.inputSchema.type).toBe('object');
          if (requireOutput) expect(definition.outputSchema, 'output schema').toBeDefined();
          if (definition.outputSchema) expect(definition.outputSchema.type).toBe('object');
          expect(() => JSON.stringify(definition)).not.toThrow();
        });
      });
    }

    it('lists tools deterministically', async () => {
      const session = await createTestClient(subject, { ...(options.env ? { env: options.env } : {}) });
      try {
        const first = await session.client.listTools();
        const second = await session.client.listTools();
        expect(JSON.stringify(second.tools)).toBe(JSON.stringify(first.tools));
      } finally {
        await session.close();
      }
    });

    it('lists no write tool in read-only mode', async () => {
      const session = await createTestClient(subject, {
        argv: ['--read-only', '--toolsets', 'all'],
        ...(options.env ? { env: options.env } : {}),
      });
      try {
        const { tools } = await session.client.listTools();
        for (const tool of tools) expect(tool.annotations?.readOnlyHint, tool.name).toBe(true);
        const readOnlyNames = subject.tools.filter((tool) => tool.annotations.readOnlyHint).map((tool) => tool.name);
        expect(tools.map((tool) => tool.name).sort()).toEqual(readOnlyNames.sort());
      } finally {
        await session.close();
      }
    });

    if (options.readme) {
      const readme = options.readme;
      it('documents every tool and setting in its README', () => {
        if (process.env.UPDATE_DOCS === '1') {
          syncReadme(subject, readme, true);
          return;
        }
        const stale = syncReadme(subject, readme, false);
        expect(stale, 'README sections are stale or missing; run the tests with UPDATE_DOCS=1 and review').toEqual([]);
      });
    }

    if (options.snapshotDir) {
      const dir = options.snapshotDir;
      it('matches the tool snapshots', () => {
        const report = checkToolSnapshots(subject, dir);
        expect(report.changed, 'tool definitions changed; review and run with UPDATE_TOOLSNAPS=1').toEqual([]);
        expect(report.missing, 'tools without snapshots; run the tests locally to write them').toEqual([]);
        expect(report.stale, 'snapshots of removed tools; delete them').toEqual([]);
      });
    }
  });
}
