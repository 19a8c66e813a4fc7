import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { spawnHttp } from '@bastion-mcp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpSession } from '@bastion-mcp/testing';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const inspector = join(dirname(createRequire(import.meta.url).resolve('@modelcontextprotocol/inspector-cli/package.json')), 'build', 'cli.js');
// inspector-cli 1.0.3 finds its own package.json through the working directory's parent.
const cwd = fileURLToPath(new URL('.', import.meta.url));

async function inspect(args: string[]): Promise<unknown> {
  const { stdout } = await run(process.execPath, [inspector, '--cli', ...args], { cwd, timeout: 60_000 });
  return JSON.parse(stdout) as unknown;
}

describe('the MCP inspector CLI (SDK v1 client) against the fixture', () => {
  it('lists and calls tools over stdio', async () => {
    const listed = (await inspect(['node', bin, '--method', 'tools/list'])) as { tools: { name: string }[] };
    expect(listed.tools.map((tool) => tool.name)).toContain('echo');
    const called = await inspect(['node', bin, '--method', 'tools/call', '--tool-name', 'echo', '--tool-arg', 'message=inspected']);
    expect(called).toMatchObject({ structuredContent: { message: 'inspected' } });
  });

  describe('over Streamable HTTP', () => {
    let server: HttpSession;
    beforeAll(async () => {
      server = await spawnHttp(bin);
    });
    afterAll(async () => {
      await server?.kill();
    });

    it('lists and calls tools and reads a resource', async () => {
      const base = [server.url, '--transport', 'http'];
      const listed = (await inspect([...base, '--method', 'tools/list'])) as { tools: { name: string }[] };
      expect(listed.tools.length).toBeGreaterThan(20);
      const called = await inspect([...base, '--method', 'tools/call', '--tool-name', 'test_simple_text']);
      expect(called).toEqual({ content: [{ type: 'text', text: 'This is a simple text response for testing.' }] });
      const read = await inspect([...base, '--method', 'resources/read', '--uri', 'test://static-text']);
      expect(read).toMatchObject({ contents: [{ uri: 'test://static-text', text: 'This is the content of the static text resource.' }] });
    });
  });
});
