import type { FileHandle } from 'node:fs/promises';

const FIRST_CHUNK = 16 * 1024;
const LARGEST_CHUNK = 256 * 1024;
const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;
/** Like grep and git: a NUL byte in the first 8 KiB means binary. */
const BINARY_PROBE = 8192;

export interface LineRange {
  /** The lines read, each without its '\n' (a '\r' of CRLF stays). */
  lines: string[];
  /** Whether the end of the file was reached while reading. */
  reachedEnd: boolean;
  /** Lines in the whole file, known when the end was reached. */
  totalLines: number | undefined;
  /** Why reading stopped before `limit`: the byte budget ran out. */
  stoppedForBytes: boolean;
  /** The file looked binary (a NUL byte near its start); nothing was read. */
  binary?: true;
}

/**
 * Reads lines `from` (1-based) up to `limit` lines or `maxBytes` of text, streaming the file in
 * chunks that start small and grow: lines before `from` are only counted at the byte level, and
 * reading stops as soon as the range is complete, so a range of a huge file never loads the file.
 * With `refuseBinary`, a file whose first chunk holds a NUL byte is reported as binary instead.
 */
export async function readLineRange(
  handle: FileHandle,
  from: number,
  limit: number,
  maxBytes: number,
  refuseBinary = false,
): Promise<LineRange> {
  let buffer = Buffer.allocUnsafe(FIRST_CHUNK);
  let chunk = FIRST_CHUNK;
  const lines: string[] = [];
  let pending: Buffer[] = [];
  let lineNumber = 1;
  let bytes = 0;
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, chunk, position);
    if (bytesRead === 0) break;
    if (refuseBinary && position === 0 && buffer.subarray(0, Math.min(bytesRead, BINARY_PROBE)).includes(0)) {
      return { lines: [], reachedEnd: false, totalLines: undefined, stoppedForBytes: false, binary: true };
    }
    position += bytesRead;
    let start = 0;
    for (;;) {
      const newline = buffer.indexOf(NEWLINE, start);
      if (newline === -1 || newline >= bytesRead) break;
      if (lineNumber >= from) {
        let line: string;
        if (pending.length === 0) {
          line = buffer.toString('utf8', start, newline);
        } else {
          pending.push(buffer.subarray(start, newline));
          line = Buffer.concat(pending).toString('utf8');
          pending = [];
        }
        if (bytes + line.length > maxBytes && lines.length > 0) {
          return { lines, reachedEnd: false, totalLines: undefined, stoppedForBytes: true };
        }
        lines.push(line);
        bytes += Buffer.byteLength(line) + 1;
        if (lines.length >= limit) return { lines, reachedEnd: false, totalLines: undefined, stoppedForBytes: false };
      }
      lineNumber += 1;
      start = newline + 1;
    }
    if (lineNumber >= from && start < bytesRead) pending.push(Buffer.from(buffer.subarray(start, bytesRead)));
    if (chunk < LARGEST_CHUNK) {
      chunk *= 2;
      buffer = Buffer.allocUnsafe(chunk);
    }
  }
  if (pending.length > 0) {
    const line = Buffer.concat(pending).toString('utf8');
    if (bytes + line.length > maxBytes && lines.length > 0) {
      return { lines, reachedEnd: false, totalLines: undefined, stoppedForBytes: true };
    }
    lines.push(line);
  }
  const finalPartial = position > 0 && (await endsWithoutNewline(handle, position));
  return { lines, reachedEnd: true, totalLines: lineNumber - 1 + (finalPartial ? 1 : 0), stoppedForBytes: false };
}

async function endsWithoutNewline(handle: FileHandle, size: number): Promise<boolean> {
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] !== NEWLINE;
}

/** Counts the lines of the whole file at the byte level. */
export async function countLines(handle: FileHandle): Promise<number> {
  const buffer = Buffer.allocUnsafe(CHUNK);
  let count = 0;
  let position = 0;
  let last = NEWLINE;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    let index = buffer.indexOf(NEWLINE, 0);
    while (index !== -1 && index < bytesRead) {
      count += 1;
      index = buffer.indexOf(NEWLINE, index + 1);
    }
    last = buffer[bytesRead - 1] ?? NEWLINE;
  }
  return count + (last === NEWLINE ? 0 : 1);
}

/** Whether the first bytes look binary (a NUL byte), like grep and git decide. */
export async function looksBinary(handle: FileHandle): Promise<boolean> {
  const probe = Buffer.allocUnsafe(BINARY_PROBE);
  const { bytesRead } = await handle.read(probe, 0, probe.length, 0);
  return probe.subarray(0, bytesRead).includes(0);
}
