import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, openFilesystem } from './support/sandbox.js';
import type { FilesystemSession, Sandbox } from './support/sandbox.js';

interface Node {
  name: string;
  type: string;
  children?: Node[];
}
interface Tree {
  path: string;
  tree: Node[];
  entries: number;
  truncated: boolean;
  truncatedReason?: string;
}

let sandbox: Sandbox;
let fs: FilesystemSession;
beforeEach(async () => {
  sandbox = createSandbox();
  fs = await openFilesystem([sandbox.root]);
});
afterEach(async () => {
  await fs.close();
  sandbox.remove();
});

/** Every path in the tree, directories with a trailing '/', unexpanded ones marked with '…'. */
function flatten(nodes: Node[], prefix = ''): string[] {
  return nodes.flatMap((node) => {
    const path = prefix + node.name;
    if (node.type !== 'directory') return [path];
    if (!node.children) return [`${path}/…`];
    return [`${path}/`, ...flatten(node.children, `${path}/`)];
  });
}

const tree = (args: Record<string, unknown>) => fs.ok<Tree>('directory_tree', { path: '.', ...args });

describe('directory_tree', () => {
  it('shows nested entries sorted by name, with types, and counts them', async () => {
    sandbox.file('b/2.txt');
    sandbox.file('b/1.txt');
    sandbox.file('a.txt');
    sandbox.dir('b/empty');
    sandbox.symlink('a.txt', 'link');
    const result = await tree({});
    expect(result).toEqual({
      path: sandbox.root,
      tree: [
        { name: 'a.txt', type: 'file' },
        { name: 'b', type: 'directory', children: [{ name: '1.txt', type: 'file' }, { name: '2.txt', type: 'file' }, { name: 'empty', type: 'directory', children: [] }] },
        { name: 'link', type: 'symlink' },
      ],
      entries: 6,
      truncated: false,
    });
  });

  it('stops at max_depth, says so only when something deeper exists, and caps the depth at 20', async () => {
    sandbox.file('1/2/3/4/deep.txt');
    sandbox.dir('x/y');
    const shallow = await tree({ max_depth: 2 });
    expect(flatten(shallow.tree)).toEqual(['1/', '1/2/…', 'x/', 'x/y/…']);
    expect(shallow).toMatchObject({ truncated: true, truncatedReason: 'max_depth', entries: 4 });
    const complete = await tree({ max_depth: 5 });
    expect(flatten(complete.tree)).toEqual(['1/', '1/2/', '1/2/3/', '1/2/3/4/', '1/2/3/4/deep.txt', 'x/', 'x/y/']);
    expect(complete.truncated).toBe(false);
    // Only the empty x/y is at the limit: nothing is hidden.
    sandbox.remove();
    sandbox = createSandbox();
    await fs.close();
    fs = await openFilesystem([sandbox.root]);
    sandbox.dir('x/y');
    expect(await tree({ max_depth: 2 })).toMatchObject({ truncated: false, entries: 2 });
    expect(await fs.refused('directory_tree', { path: '.', max_depth: 21 })).toMatch(/max_depth/);
  });

  it('goes breadth first, so max_entries keeps the upper levels complete', async () => {
    for (const dir of ['a', 'b', 'c']) for (let index = 0; index < 5; index += 1) sandbox.file(`${dir}/f${index}.txt`);
    sandbox.file('top.txt');
    const result = await tree({ max_entries: 6 });
    expect(result).toMatchObject({ entries: 6, truncated: true, truncatedReason: 'max_entries' });
    // The four top entries, then the first two of a/; b/ and c/ were not expanded.
    expect(flatten(result.tree)).toEqual(['a/', 'a/f0.txt', 'a/f1.txt', 'b/…', 'c/…', 'top.txt']);
  });

  it('leaves out excluded entries and does not enter excluded directories', async () => {
    sandbox.file('src/index.ts');
    sandbox.file('src/debug.log');
    sandbox.file('node_modules/pkg/index.js');
    sandbox.file('packages/x/node_modules/y/index.js');
    sandbox.file('dist/bundle.js');
    const result = await tree({ exclude: ['node_modules', 'dist/**', '*.log'], max_depth: 5 });
    expect(flatten(result.tree)).toEqual(['packages/', 'packages/x/', 'src/', 'src/index.ts']);
  });

  it('honours .gitignore files at every level and skips .git, unless told not to', async () => {
    sandbox.file('.gitignore', 'build/\n*.log\n');
    sandbox.file('build/out.js');
    sandbox.file('app.log');
    sandbox.file('src/main.ts');
    sandbox.file('src/.gitignore', 'generated.ts\n!keep.log\n');
    sandbox.file('src/generated.ts');
    sandbox.file('src/keep.log');
    sandbox.file('src/drop.log');
    sandbox.file('.git/HEAD', 'ref: refs/heads/main');
    sandbox.file('.git/config', '[remote]');
    expect(flatten((await tree({})).tree)).toEqual(['.gitignore', 'src/', 'src/.gitignore', 'src/keep.log', 'src/main.ts']);
    expect(flatten((await tree({ respect_gitignore: false })).tree)).toEqual([
      '.git/', '.git/HEAD', '.gitignore', 'app.log', 'build/', 'build/out.js', 'src/', 'src/.gitignore', 'src/drop.log',
      'src/generated.ts', 'src/keep.log', 'src/main.ts',
    ]);
  });

  it('never enters a symbolic link, so an outside target and a link loop stay closed', async () => {
    sandbox.symlink(sandbox.outside, 'escape');
    sandbox.symlink('.', 'self');
    sandbox.symlink('loop_b', 'loop_a');
    sandbox.symlink('loop_a', 'loop_b');
    sandbox.file('inside/ok.txt');
    const result = await tree({ max_depth: 20, max_entries: 100_000 });
    expect(flatten(result.tree)).toEqual(['escape', 'inside/', 'inside/ok.txt', 'loop_a', 'loop_b', 'self']);
    expect(JSON.stringify(result)).not.toContain('secret.txt');
    expect(result.truncated).toBe(false);
  });

  it('never shows protected files or what is inside protected directories', async () => {
    sandbox.file('.env', 'A=1');
    sandbox.file('app/.env.local', 'A=1');
    sandbox.file('home/.ssh/id_rsa', 'KEY');
    sandbox.file('home/.ssh/known_hosts', 'x');
    sandbox.file('certs/site.pem', 'PEM');
    sandbox.file('certs/README', 'x');
    const result = await tree({ respect_gitignore: false, max_depth: 5 });
    expect(flatten(result.tree)).toEqual(['app/', 'certs/', 'certs/README', 'home/']);
    expect(result.entries).toBe(4);
    expect(await fs.refused('directory_tree', { path: 'home/.ssh' })).toMatch(/protected file/);
  });

  it('sanitizes names and stays within the response budget', async () => {
    sandbox.file('a\u001b]8;;evil.example\u0007link\u001b]8;;\u0007.txt');
    sandbox.file('b\u2067\u202eRTL.txt');
    const clean = await tree({});
    expect(flatten(clean.tree)).toEqual(['alink.txt', 'bRTL.txt']);
    for (let index = 0; index < 200; index += 1) sandbox.file(`many/${'n'.repeat(60)}-${index}.txt`);
    await fs.close();
    fs = await openFilesystem([sandbox.root], { argv: ['--max-result-bytes', '4096'] });
    const cut = await tree({ max_entries: 100_000 });
    expect(cut).toMatchObject({ truncated: true, truncatedReason: 'response_budget' });
    expect(cut.entries).toBeGreaterThan(10);
    expect(JSON.stringify(cut).length).toBeLessThan(4096);
  });

  it('needs a directory', async () => {
    sandbox.file('f.txt', 'x');
    expect(await fs.refused('directory_tree', { path: 'f.txt' })).toMatch(/not a directory; use read_text_file/);
    expect(await fs.refused('directory_tree', { path: '../outside' })).toMatch(/contains "\.\."/);
    expect(await fs.refused('directory_tree', { path: '.', exclude: ['/abs'] })).toMatch(/`exclude\[0\]`/);
  });
});
