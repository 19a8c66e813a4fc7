import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { DIST_ENTRY_URL } from './paths.js';

export interface NodeRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /**
   * Connect the child's stdout to an OS pipe (through `| cat`), as a Python or shell MCP client
   * would, instead of the Unix socket node uses for child stdio.
   */
  stdoutIsOsPipe?: boolean;
  /** Send the child's stderr to this regular file; NodeRun.stderr is then read back from it. */
  stderrFile?: string;
}

/**
 * Runs `body` as an ES module in a fresh node process with the built package bound to
 * `logging`, so tests can observe the real stdout and stderr file descriptors.
 */
export function runWithLogging(body: string, options: RunOptions = {}): NodeRun {
  const source = `import * as logging from ${JSON.stringify(DIST_ENTRY_URL)};\n${body}`;
  const nodeArgs = ['--input-type=module', '-e', source];
  const [command, args] = options.stdoutIsOsPipe
    ? ['sh', ['-c', '"$0" "$@" | cat', process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const stderrFd = options.stderrFile === undefined ? 'pipe' : openSync(options.stderrFile, 'w');
  try {
    const result = spawnSync(command, args, {
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', stderrFd],
    });
    if (result.error) throw result.error;
    const stderr =
      options.stderrFile === undefined ? result.stderr : readFileSync(options.stderrFile, 'utf8');
    return { status: result.status, stdout: result.stdout, stderr };
  } finally {
    if (typeof stderrFd === 'number') closeSync(stderrFd);
  }
}

export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
