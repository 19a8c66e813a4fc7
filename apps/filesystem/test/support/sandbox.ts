import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createTestClient, textOf } from '@bastion-mcp/testing';
import { expect } from 'vitest';
import type { TestClient, TestClientOptions } from '@bastion-mcp/testing';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { connector } from '../../src/connector.js';

/**
 * A real temporary directory laid out for attacks: `root` is the allowed directory, `outside`
 * holds files that must stay unreachable, and `sibling` shares the root's name as a prefix.
 */
export interface Sandbox {
  readonly base: string;
  readonly root: string;
  readonly outside: string;
  readonly sibling: string;
  file(relative: string, content?: string | Buffer): string;
  symlink(target: string, relative: string): string;
  hardlink(target: string, relative: string): string;
  fifo(relative: string): string;
  dir(relative: string): string;
  /** Everything under `base` (root, outside, sibling): link targets, directories, file modes and contents. */
  contents(): Record<string, string>;
  remove(): void;
}

export function createSandbox(): Sandbox {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'bastion-fs-')));
  const root = join(base, 'allowed');
  const outside = join(base, 'outside');
  const sibling = join(base, 'allowed_evil');
  for (const dir of [root, outside, sibling]) mkdirSync(dir);
  writeFileSync(join(outside, 'secret.txt'), 'OUTSIDE-SECRET\n');
  writeFileSync(join(sibling, 'secret.txt'), 'SIBLING-SECRET\n');
  const inRoot = (relative: string) => (relative.startsWith('/') ? relative : join(root, relative));
  return {
    base,
    root,
    outside,
    sibling,
    file(relative, content = '') {
      const path = inRoot(relative);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      return path;
    },
    symlink(target, relative) {
      const path = inRoot(relative);
      mkdirSync(dirname(path), { recursive: true });
      symlinkSync(target, path);
      return path;
    },
    hardlink(target, relative) {
      const path = inRoot(relative);
      linkSync(target, path);
      return path;
    },
    fifo(relative) {
      const path = inRoot(relative);
      execFileSync('mkfifo', [path]);
      return path;
    },
    dir(relative) {
      const path = inRoot(relative);
      mkdirSync(path, { recursive: true });
      return path;
    },
    contents() {
      const found: Record<string, string> = {};
      const walk = (dir: string) => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          const path = join(dir, entry.name);
          const key = relative(base, path);
          if (entry.isSymbolicLink()) found[key] = `link -> ${readlinkSync(path)}`;
          else if (entry.isDirectory()) {
            found[key] = 'dir';
            walk(path);
          } else if (entry.isFile()) found[key] = `${(statSync(path).mode & 0o7777).toString(8)} ${readFileSync(path, 'latin1')}`;
          else found[key] = 'special';
        }
      };
      walk(base);
      return found;
    },
    remove() {
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** The refusal message, after checking that nothing anywhere in the sandbox changed (no temp files either). */
export async function refusedWithoutChange(
  session: FilesystemSession,
  sandbox: Sandbox,
  name: string,
  args: Record<string, unknown>,
): Promise<string> {
  const before = sandbox.contents();
  const message = await session.refused(name, args);
  expect(sandbox.contents()).toEqual(before);
  return message;
}

export interface FilesystemSession extends TestClient {
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** The structured result; fails the test when the call was an error. */
  ok<T = Record<string, unknown>>(name: string, args?: Record<string, unknown>): Promise<T>;
  /** The error text; fails the test when the call succeeded. */
  refused(name: string, args?: Record<string, unknown>): Promise<string>;
}

export async function openFilesystem(
  roots: string[],
  options: { argv?: string[]; env?: Record<string, string> } & Omit<TestClientOptions, 'argv' | 'env'> = {},
): Promise<FilesystemSession> {
  const session = await createTestClient(connector, { ...options, argv: [...(options.argv ?? []), ...roots], env: options.env ?? {} });
  const call = (name: string, args: Record<string, unknown> = {}) => session.callTool(name, args);
  return Object.assign(session, {
    call,
    async ok<T>(name: string, args: Record<string, unknown> = {}) {
      const result = await call(name, args);
      if (result.isError) throw new Error(`${name} failed: ${textOf(result)}`);
      return result.structuredContent as T;
    },
    async refused(name: string, args: Record<string, unknown> = {}) {
      const result = await call(name, args);
      if (!result.isError) throw new Error(`${name} succeeded but should have been refused: ${JSON.stringify(result.structuredContent)}`);
      return textOf(result);
    },
  });
}
