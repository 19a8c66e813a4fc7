import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { prepareTool } from '@bastion-mcp/core';
import type { Connector } from '@bastion-mcp/core';

export interface SnapshotReport {
  /** Tools whose definition differs from the snapshot (the diff is in the message). */
  changed: string[];
  /** Tools that have no snapshot yet. */
  missing: string[];
  /** Snapshot files for tools that no longer exist. */
  stale: string[];
  written: string[];
}

const SUFFIX = '.snap.json';

/**
 * Compares each tool's JSON definition with `dir/<tool>.snap.json`. With UPDATE_TOOLSNAPS=1 it
 * rewrites them; outside CI a missing snapshot is written; in CI a missing or changed one is a
 * failure, so every schema change shows in review.
 */
export function checkToolSnapshots<Ctx>(connector: Connector<Ctx>, dir: string): SnapshotReport {
  const update = process.env.UPDATE_TOOLSNAPS === '1';
  const inCi = Boolean(process.env.CI);
  const report: SnapshotReport = { changed: [], missing: [], stale: [], written: [] };
  mkdirSync(dir, { recursive: true });
  const names = new Set<string>();
  for (const tool of connector.tools) {
    names.add(tool.name);
    const file = join(dir, `${tool.name}${SUFFIX}`);
    const current = `${JSON.stringify(prepareTool(tool).definition, null, 2)}\n`;
    const saved = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (saved === current) continue;
    if (update || (saved === undefined && !inCi)) {
      writeFileSync(file, current);
      report.written.push(tool.name);
    } else if (saved === undefined) {
      report.missing.push(tool.name);
    } else {
      report.changed.push(tool.name);
    }
  }
  for (const file of readdirSync(dir)) {
    if (file.endsWith(SUFFIX) && !names.has(file.slice(0, -SUFFIX.length))) report.stale.push(file);
  }
  return report;
}
