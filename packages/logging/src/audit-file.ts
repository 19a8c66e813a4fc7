import { close, closeSync, fstatSync, openSync, writeSync } from 'node:fs';

export interface AuditFile {
  /** Writes one line with a plain write(2): nothing is buffered in memory, nothing is fsynced. */
  append(line: string): void;
  /**
   * Opens the path again and writes there from now on (after logrotate moved the file away);
   * throws, still writing to the old file, when it cannot.
   */
  reopen(): void;
  close(): Promise<void>;
}

/** Opens (creating with mode 0600) an append-only audit file; throws here if it cannot. */
export function openAuditFile(path: string): AuditFile {
  let fd = openChecked(path);
  let closing: Promise<void> | undefined;
  return {
    append(line) {
      // After close the descriptor number may already belong to some other file.
      if (closing) throw new Error(`audit log ${path} is closed`);
      const bytes = Buffer.from(line);
      let written = 0;
      while (written < bytes.length) {
        written += writeSync(fd, bytes, written, bytes.length - written);
      }
    },
    reopen() {
      if (closing) throw new Error(`audit log ${path} is closed`);
      const next = openChecked(path);
      const previous = fd;
      fd = next;
      closeSync(previous);
    },
    close() {
      closing ??= new Promise((resolve, reject) => {
        close(fd, (error) => (error ? reject(error) : resolve()));
      });
      return closing;
    },
  };
}

function openChecked(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o600);
  } catch (error) {
    throw new Error(`cannot open audit log ${path}: ${describeOpenError(error)}`, { cause: error });
  }
  if (isProtocolStdout(fd)) {
    closeSync(fd);
    throw new Error(
      `cannot open audit log ${path}: it is this process's stdout, which carries the MCP protocol`,
    );
  }
  return fd;
}

function describeOpenError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // "ENOENT: no such file or directory, open '/x/y.jsonl'": the path is already in our message.
  return message.replace(/, open '.*'$/s, '');
}

// bigint stats on purpose: a plain fstatSync writes into the process-wide buffer that
// fs.realpathSync, and so module resolution, reads back. Left holding a pipe's mode (stdout under a
// container runtime or a desktop host), it makes every later import stop resolving pnpm's symlinks
// (nodejs/node#51142). bigint results live in a buffer of their own, and compare inodes exactly.
function isProtocolStdout(fd: number): boolean {
  try {
    const target = fstatSync(fd, { bigint: true });
    const stdout = fstatSync(1, { bigint: true });
    return target.dev === stdout.dev && target.ino === stdout.ino;
  } catch {
    return false;
  }
}
