import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runWithLogging } from './support/run-node.js';

// Opening the audit file checks that it is not stdout; that check once left a pipe's mode in
// Node's shared stat buffer, after which imports stopped following pnpm's symlinks.
let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'bastion-audit-resolve-'));
  // pnpm's layout: the package's real home holds its dependencies as siblings; the app sees a symlink.
  const store = join(root, 'store', 'node_modules');
  mkdirSync(join(store, 'lazy-dep'), { recursive: true });
  mkdirSync(join(store, 'lazy-sibling'), { recursive: true });
  writeFileSync(join(store, 'lazy-dep', 'package.json'), '{"name":"lazy-dep","type":"module","exports":"./index.js"}');
  writeFileSync(join(store, 'lazy-dep', 'index.js'), "export { answer } from 'lazy-sibling';\n");
  writeFileSync(join(store, 'lazy-sibling', 'package.json'), '{"name":"lazy-sibling","type":"module","exports":"./index.js"}');
  writeFileSync(join(store, 'lazy-sibling', 'index.js'), 'export const answer = 42;\n');
  mkdirSync(join(root, 'app', 'node_modules'), { recursive: true });
  symlinkSync(join(store, 'lazy-dep'), join(root, 'app', 'node_modules', 'lazy-dep'), 'dir');
  writeFileSync(join(root, 'app', 'warm.js'), 'export {};\n');
  writeFileSync(join(root, 'app', 'load.js'), "export const load = () => import('lazy-dep');\n");
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function lazyImportAfterOpening(): string {
  const app = join(root, 'app');
  return `
    await import(${JSON.stringify(pathToFileURL(join(app, 'warm.js')).href)});
    const { load } = await import(${JSON.stringify(pathToFileURL(join(app, 'load.js')).href)});
    const audit = logging.createAuditLog({ logger: logging.createLogger({ name: 't' }), server: { connector: 't', name: 'bastion-t', version: '0.0.0' }, file: ${JSON.stringify(join(root, 'audit.jsonl'))} });
    const { answer } = await load();
    process.stderr.write('answer=' + answer + '\\n');
    await audit.close();
  `;
}

describe('opening the audit file', () => {
  it('leaves module resolution intact when stdout is an OS pipe', () => {
    const run = runWithLogging(lazyImportAfterOpening(), { stdoutIsOsPipe: true });
    expect(run.stderr).toContain('answer=42');
    expect(run.status).toBe(0);
  });

  it('leaves module resolution intact when stdout is a socket', () => {
    const run = runWithLogging(lazyImportAfterOpening());
    expect(run.stderr).toContain('answer=42');
    expect(run.status).toBe(0);
  });
});
