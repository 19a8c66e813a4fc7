import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, openFilesystem, refusedWithoutChange } from './support/sandbox.js';
import type { FilesystemSession, Sandbox } from './support/sandbox.js';

let sandbox: Sandbox;
let fs: FilesystemSession;
beforeEach(async () => {
  sandbox = createSandbox();
  fs = await openFilesystem([sandbox.root], { argv: ['--write', '--allow-delete'] });
});
afterEach(async () => {
  await fs.close();
  sandbox.remove();
});

/** Files that make code run later, one or more of every kind, some spelled as a case-insensitive file system accepts them. */
const EXEC_CONFIG_FILES = [
  'repo/.git/hooks/pre-commit',
  'repo/.git/hooks/post-checkout',
  'repo/.git/modules/lib/hooks/pre-push',
  'repo/.GIT/HOOKS/pre-commit',
  'repo/.husky/pre-commit',
  'repo/.pre-commit-config.yaml',
  'repo/lefthook.yml',
  'repo/.git/modules/lib/config',
  '.gitconfig',
  '.config/git/config',
  '.bashrc',
  '.bash_profile',
  '.profile',
  '.zshrc',
  '.zprofile',
  '.zshenv',
  '.config/fish/config.fish',
  '.vscode/tasks.json',
  '.vscode/settings.json',
  '.VSCode/Tasks.JSON',
  'app.code-workspace',
  '.idea/runConfigurations/Run.xml',
  '.idea/workspace.xml',
  '.gdbinit',
  '.yarnrc',
  '.venv/lib/python3.12/site-packages/evil.pth',
  '.venv/lib/python3.12/site-packages/sitecustomize.py',
  '.config/autostart/evil.desktop',
  '.config/systemd/user/evil.service',
];

const REFUSED = /make code run later.*refused.*--allow-exec-config \(FILESYSTEM_ALLOW_EXEC_CONFIG\)/;

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

describe('files that make code run later', () => {
  it('are never created or changed by write_file, append_file, edit_file, copy_file or move_file', async () => {
    sandbox.file('staged.txt', 'echo evil\n');
    for (const path of EXEC_CONFIG_FILES) {
      if (path.includes('/')) sandbox.dir(parentOf(path));
      const created = await refusedWithoutChange(fs, sandbox, 'write_file', { path, content: 'echo evil\n' });
      expect(created, path).toMatch(REFUSED);
      expect(await refusedWithoutChange(fs, sandbox, 'append_file', { path, content: 'echo evil\n' }), path).toMatch(REFUSED);
      expect(await refusedWithoutChange(fs, sandbox, 'copy_file', { source: 'staged.txt', destination: path }), path).toMatch(REFUSED);
      expect(await refusedWithoutChange(fs, sandbox, 'move_file', { source: 'staged.txt', destination: path }), path).toMatch(REFUSED);
    }
    // Existing ones (the user's own) stay readable but cannot be changed.
    for (const path of EXEC_CONFIG_FILES) {
      sandbox.file(path, 'echo mine\n');
      expect(await fs.ok('read_text_file', { path }), path).toMatchObject({ content: 'echo mine' });
      expect(await refusedWithoutChange(fs, sandbox, 'write_file', { path, content: 'echo evil\n', overwrite: true }), path).toMatch(REFUSED);
      const edit = { path, edits: [{ old_text: 'mine', new_text: 'evil' }] };
      expect(await refusedWithoutChange(fs, sandbox, 'edit_file', edit), path).toMatch(REFUSED);
      expect(await refusedWithoutChange(fs, sandbox, 'copy_file', { source: 'staged.txt', destination: path, overwrite: true }), path).toMatch(REFUSED);
    }
  });

  it('name what the file is, why it is refused and the setting that allows it', async () => {
    sandbox.dir('repo/.git/hooks');
    const message = await fs.refused('write_file', { path: 'repo/.git/hooks/pre-commit', content: 'x' });
    expect(message).toContain('is a Git hook (it matches "**/.git/hooks/**")');
    expect(message).toContain('Git runs hooks on commit');
    expect(message).toContain('--allow-exec-config "**/.git/hooks/**"');
    expect(await fs.refused('write_file', { path: '.zshrc', content: 'x' })).toContain('is a shell startup file');
  });

  it('cannot be made by creating directories or by moving a directory into place', async () => {
    sandbox.dir('repo/.git');
    expect(await refusedWithoutChange(fs, sandbox, 'create_directory', { path: 'repo/.git/hooks/pre-commit.d' })).toMatch(REFUSED);
    expect(await refusedWithoutChange(fs, sandbox, 'create_directory', { path: 'repo/.husky' })).toMatch(REFUSED);
    sandbox.file('staged/hooks/pre-commit', '#!/bin/sh\nevil\n');
    sandbox.file('staged/settings.json', '{}\n');
    sandbox.dir('other');
    expect(await refusedWithoutChange(fs, sandbox, 'move_file', { source: 'staged', destination: 'other/.git' })).toMatch(
      /contains "hooks", which the move would turn into a file that runs code.*a Git hook/,
    );
    expect(await refusedWithoutChange(fs, sandbox, 'move_file', { source: 'staged', destination: 'other/.vscode' })).toMatch(
      /contains "settings.json".*editor workspace configuration/,
    );
  });

  it('stay readable, listable, deletable, and move along with the project they are in', async () => {
    sandbox.file('project/.git/hooks/pre-commit', '#!/bin/sh\n');
    sandbox.file('project/.vscode/settings.json', '{}\n');
    sandbox.file('project/.bashrc', 'alias x=y\n');
    expect(await fs.ok('search_files', { path: 'project', pattern: '**', respect_gitignore: false })).toMatchObject({
      matches: expect.arrayContaining(['.git/hooks/pre-commit', '.vscode/settings.json', '.bashrc']),
    });
    await fs.ok('move_file', { source: 'project', destination: 'archived' });
    expect(await fs.ok('read_text_file', { path: 'archived/.vscode/settings.json' })).toMatchObject({ content: '{}' });
    await fs.ok('delete_path', { path: 'archived/.git/hooks/pre-commit' });
    await fs.ok('move_file', { source: 'archived/.bashrc', destination: 'archived/bashrc.txt' });
  });

  it('leave ordinary build, CI and package files writable', async () => {
    for (const path of ['package.json', 'Makefile', '.github/workflows/ci.yml', '.gitattributes', '.gitignore', '.vscode/extensions.json', 'src/profile.ts', 'hooks/pre-commit']) {
      if (path.includes('/')) sandbox.dir(parentOf(path));
      expect(await fs.ok('write_file', { path, content: 'x\n' }), path).toMatchObject({ path: expect.any(String) });
    }
  });

  it('can be allowed by the operator, by glob, from the command line or the environment', async () => {
    sandbox.dir('repo/.git/hooks');
    sandbox.dir('.vscode');
    await fs.close();
    fs = await openFilesystem([sandbox.root], { argv: ['--write', '--allow-exec-config', '**/.vscode/*,.bashrc'] });
    await fs.ok('write_file', { path: '.vscode/tasks.json', content: '{}' });
    await fs.ok('write_file', { path: '.bashrc', content: 'x' });
    expect(await fs.refused('write_file', { path: 'repo/.git/hooks/pre-commit', content: 'x' })).toMatch(REFUSED);
    await fs.close();
    fs = await openFilesystem([sandbox.root], { argv: ['--write'], env: { FILESYSTEM_ALLOW_EXEC_CONFIG: '**' } });
    await fs.ok('write_file', { path: 'repo/.git/hooks/pre-commit', content: '#!/bin/sh\n' });
    await fs.ok('create_directory', { path: 'repo/.husky' });
    // Allowing exec-config files never unprotects a secret file.
    expect(await fs.refused('write_file', { path: '.envrc', content: 'x' })).toMatch(/protected file/);
  });
});
