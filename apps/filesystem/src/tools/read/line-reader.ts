import type { FileHandle } from 'node:fs/promises';
import { fitText, jsonTextBytes, utf8Boundary } from './text-fit.js';

const FIRST_CHUNK = 16 * 1024;
const LARGEST_CHUNK = 256 * 1024;
const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;
/** Like grep and git: a NUL byte in the first 8 KiB means binary. */
const BINARY_PROBE = 8192;

export interface LineRange {
  /** The lines read, each without its '\n' (a '\r' of CRLF stays). */
  lines: string[];
  /** Whether the end of the file was reached: no line follows the last one read. */
  reachedEnd: boolean;
  /** Lines in the whole file, known when the end was reached. */
  totalLines: number | undefined;
  /** Why reading stopped before `limit`: the byte budget ran out. */
  stoppedForBytes: boolean;
  /** Line numbers of lines too long for `maxBytes`, returned cut to their start. */
  cutLines: number[];
  /** The file looked binary (a NUL byte near its start); nothing was read. */
  binary?: true;
}

/** A '\n' between two lines, as it travels in a JSON string. */
const SEPARATOR_BYTES = 2;

/**
 * Reads lines `from` (1-based) up to `limit` lines or `maxBytes` of text (measured as JSON string
 * content), streaming the file in chunks that start small and grow: lines before `from` are only
 * counted at the byte level, and reading stops as soon as the range is complete, so a range of a
 * huge file never loads the file. Of the line being read no more than `maxBytes` is kept: a first
 * line longer than that is returned cut at a character boundary and listed in `cutLines` (the
 * rest of it is only scanned for its end), and a later line that does not fit ends the range, so
 * memory stays bounded whatever the line length. With `refuseBinary`, a file whose first chunk
 * holds a NUL byte is reported as binary instead.
 */
export async function readLineRange(
  handle: FileHandle,
  from: number,
  limit: number,
  maxBytes: number,
  refuseBinary = false,
): Promise<LineRange> {
  let chunk = FIRST_CHUNK;
  let buffer = Buffer.allocUnsafe(chunk);
  const lines: string[] = [];
  const cutLines: number[] = [];
  let lineNumber = 1;
  /** JSON bytes of the lines taken, separators included. */
  let used = 0;
  /** File offset just past the bytes read so far. */
  let position = 0;
  /** The current line's bytes, at most `room()` of them. */
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** The current line has more bytes than `room()`. */
  let overlong = false;
  /** The current line has at least one byte (so a file's last line without '\n' is counted). */
  let started = false;

  const room = () => maxBytes - used - (lines.length > 0 ? SEPARATOR_BYTES : 0);
  const result = (reachedEnd: boolean, totalLines?: number): LineRange => ({
    lines,
    reachedEnd,
    totalLines,
    stoppedForBytes: false,
    cutLines,
  });
  const stopForBytes = (): LineRange => ({ lines, reachedEnd: false, totalLines: undefined, stoppedForBytes: true, cutLines });

  /** Adds bytes of the current line; `copy` when they must outlive the chunk buffer. */
  const keep = (bytes: Buffer, copy: boolean): void => {
    const space = room() - pendingBytes;
    if (bytes.length > space) overlong = true;
    const kept = Math.min(bytes.length, Math.max(0, space));
    if (kept === 0) return;
    const part = bytes.subarray(0, kept);
    pending.push(copy ? Buffer.from(part) : part);
    pendingBytes += kept;
  };

  /** Takes the current (in range) line; false when it ends the range without being taken. */
  const take = (): boolean => {
    const space = room();
    const bytes = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
    let text = bytes.toString('utf8', 0, overlong ? utf8Boundary(bytes, bytes.length) : bytes.length);
    let cost = jsonTextBytes(text);
    if (overlong || cost > space) {
      if (lines.length > 0) return false;
      if (cost > space) {
        text = fitText(text, space);
        cost = jsonTextBytes(text);
      }
      cutLines.push(lineNumber);
    }
    used += cost + (lines.length > 0 ? SEPARATOR_BYTES : 0);
    lines.push(text);
    return true;
  };

  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, chunk, position);
    if (bytesRead === 0) break;
    if (refuseBinary && position === 0 && buffer.subarray(0, Math.min(bytesRead, BINARY_PROBE)).includes(0)) {
      return { lines: [], reachedEnd: false, totalLines: undefined, stoppedForBytes: false, cutLines: [], binary: true };
    }
    position += bytesRead;
    let start = 0;
    for (;;) {
      const found = buffer.indexOf(NEWLINE, start);
      const newline = found === -1 || found >= bytesRead ? -1 : found;
      const end = newline === -1 ? bytesRead : newline;
      if (lineNumber >= from && end > start && !overlong) {
        keep(buffer.subarray(start, end), newline === -1);
        if (overlong && lines.length > 0) return stopForBytes();
      }
      if (newline === -1) {
        started ||= end > start;
        break;
      }
      if (lineNumber >= from) {
        if (!take()) return stopForBytes();
        // A cut line spends the budget, so the range ends with it.
        if (lines.length >= limit || cutLines.length > 0) {
          const more = newline + 1 < bytesRead || (await hasByteAt(handle, position));
          return more ? result(false) : result(true, lineNumber);
        }
      }
      lineNumber += 1;
      pending = [];
      pendingBytes = 0;
      overlong = false;
      started = false;
      start = newline + 1;
    }
    if (chunk < LARGEST_CHUNK) {
      chunk *= 2;
      buffer = Buffer.allocUnsafe(chunk);
    }
  }
  if (!started) return result(true, lineNumber - 1);
  if (lineNumber >= from && !take()) return stopForBytes();
  return result(true, lineNumber);
}

async function hasByteAt(handle: FileHandle, position: number): Promise<boolean> {
  const probe = Buffer.alloc(1);
  const { bytesRead } = await handle.read(probe, 0, 1, position);
  return bytesRead > 0;
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
