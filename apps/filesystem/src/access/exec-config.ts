import { compilePathPatterns } from './path-patterns.js';
import type { PathPatterns, PatternLocation } from './path-patterns.js';

/** A kind of file that makes code run later, outside this server, when something ordinary happens. */
export interface ExecConfigKind {
  /** What the file is, for messages: "a Git hook". */
  readonly what: string;
  /** When its code runs. */
  readonly runs: string;
  readonly patterns: readonly string[];
}

/**
 * Files whose content is run as code, or names code to run, when the user does something
 * ordinary: commits, opens a shell, a folder in an editor, a debugger, or enters a directory.
 * Writing them is refused unless the operator allows them (--allow-exec-config); reading them is
 * not. Deliberately not listed: package.json (its scripts run on install, but it is edited all
 * the time), Makefiles, build and test files, CI workflows (they run in CI after a push, like the
 * rest of the code pushed with them) and .gitattributes (its filters and diff drivers only name
 * commands that must be defined in Git's configuration, which is listed).
 */
export const EXEC_CONFIG_KINDS: readonly ExecConfigKind[] = [
  {
    what: 'a Git hook',
    runs: 'Git runs hooks on commit, checkout, merge and push',
    patterns: ['**/.git/hooks/**', '**/.git/modules/**/hooks/**', '**/.husky/**', '**/.pre-commit-config.yaml', '**/lefthook.yml', '**/.lefthook.yml', '**/lefthook-local.yml'],
  },
  {
    what: 'Git configuration',
    runs: 'core.hooksPath, core.fsmonitor, core.sshCommand, aliases and filters in it name commands Git runs',
    patterns: ['**/.git/config', '**/.git/config.worktree', '**/.git/modules/**/config', '**/.git/worktrees/*/config.worktree', '**/.gitconfig', '**/.config/git/config'],
  },
  {
    what: 'a shell startup file',
    runs: 'the shell runs it whenever a shell starts',
    patterns: [
      '**/.bashrc',
      '**/.bash_profile',
      '**/.bash_login',
      '**/.bash_logout',
      '**/.bash_aliases',
      '**/.profile',
      '**/.zshrc',
      '**/.zprofile',
      '**/.zshenv',
      '**/.zlogin',
      '**/.zlogout',
      '**/.kshrc',
      '**/.cshrc',
      '**/.tcshrc',
      '**/.config/fish/config.fish',
      '**/.config/fish/conf.d/**',
      '**/Microsoft.PowerShell_profile.ps1',
      '**/profile.ps1',
    ],
  },
  {
    what: 'a direnv file',
    runs: 'direnv runs it on entering the directory',
    patterns: ['**/.envrc'],
  },
  {
    what: 'editor workspace configuration',
    runs: 'the editor runs the tasks, launch and terminal commands it names when the folder is opened or a task is started',
    patterns: [
      '**/.vscode/tasks.json',
      '**/.vscode/settings.json',
      '**/.vscode/launch.json',
      '**/*.code-workspace',
      '**/.idea/workspace.xml',
      '**/.idea/runConfigurations/**',
      '**/.run/*.run.xml',
      '**/.vimrc',
      '**/.exrc',
      '**/.nvimrc',
      '**/.nvim.lua',
    ],
  },
  {
    what: 'a debugger startup file',
    runs: 'gdb and lldb run its commands when they start',
    patterns: ['**/.gdbinit', '**/.lldbinit'],
  },
  {
    what: 'package manager configuration',
    runs: 'it can replace the package manager or the shell that runs every script (yarnPath, script-shell, node-options)',
    patterns: ['**/.npmrc', '**/.yarnrc', '**/.yarnrc.yml'],
  },
  {
    what: 'a Python start-up hook',
    runs: 'Python runs it every time the interpreter starts',
    patterns: ['**/site-packages/*.pth', '**/sitecustomize.py', '**/usercustomize.py'],
  },
  {
    what: 'a login autostart entry',
    runs: 'the system runs it at login or on a schedule',
    patterns: ['**/.config/autostart/**', '**/.config/systemd/user/**', '**/Library/LaunchAgents/**'],
  },
  {
    what: 'SSH configuration',
    runs: 'ssh and sshd run the commands it names (ProxyCommand, LocalCommand, command=, rc)',
    patterns: ['**/.ssh/config', '**/.ssh/rc', '**/.ssh/authorized_keys'],
  },
];

/** Why a write to an exec-config file is refused. */
export interface ExecConfigMatch {
  readonly kind: ExecConfigKind;
  readonly pattern: string;
}

export interface ExecConfigGuard {
  /** The listed file kind `location` is (and that the operator did not allow), if any. */
  match(location: PatternLocation): ExecConfigMatch | undefined;
}

/**
 * The exec-config list, less what the operator allows: `allowed` are globs (FILESYSTEM_DENY's
 * syntax: relative to the allowed directory, or absolute with a leading '/') of paths that may be
 * written after all; `**` allows every one.
 */
export function createExecConfigGuard(allowed: readonly string[]): ExecConfigGuard {
  const byPattern = new Map<string, ExecConfigKind>();
  for (const kind of EXEC_CONFIG_KINDS) for (const pattern of kind.patterns) byPattern.set(pattern, kind);
  const listed = compilePathPatterns('exec-config list', [...byPattern.keys()]);
  const allow: PathPatterns | undefined = allowed.length > 0 ? compilePathPatterns('FILESYSTEM_ALLOW_EXEC_CONFIG', allowed) : undefined;
  return {
    match(location) {
      const pattern = listed.match(location);
      if (pattern === undefined || allow?.match(location) !== undefined) return undefined;
      const kind = byPattern.get(pattern);
      return kind ? { kind, pattern } : undefined;
    },
  };
}
