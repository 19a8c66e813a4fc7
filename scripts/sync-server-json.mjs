#!/usr/bin/env node
// Run after `changeset version`: copies each app's new package version into its server.json (the
// MCP registry manifest), so the two never disagree.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
for (const app of readdirSync(join(root, 'apps'))) {
  const manifestPath = join(root, 'apps', app, 'server.json');
  if (!existsSync(manifestPath)) continue;
  const { name, version, mcpName } = JSON.parse(readFileSync(join(root, 'apps', app, 'package.json'), 'utf8'));
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (manifest.name !== mcpName) throw new Error(`apps/${app}: server.json name ${manifest.name} differs from mcpName ${mcpName}`);
  manifest.version = version;
  for (const entry of manifest.packages ?? []) if (entry.identifier === name) entry.version = version;
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}
