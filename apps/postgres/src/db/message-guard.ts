// A check in front of node-postgres's protocol reader, on each connection. The reader collects a
// whole message before it decodes it, and decodes a row's values into strings: a single value of
// a few hundred megabytes (select repeat('x', 540000000)) would be buffered whole and then throw
// in the socket's data handler, which takes the whole process down. Here every message's length
// is read from its header as the bytes arrive, and a message over the cap closes the connection
// before it is buffered; any failure of the reader closes it too. Either way the error goes to
// the call that was reading, and the pool replaces the connection.
import type { EventEmitter } from 'node:events';
import { ToolError } from '@bastion-mcp/core';

/** The largest protocol message (so the largest row, error or notice) a connection accepts. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** A message's type byte and its length (which counts itself, not the type byte). */
const HEADER_BYTES = 5;

interface Stream extends EventEmitter {
  readonly destroyed: boolean;
  destroy(error?: Error): void;
}

type DataListener = (chunk: Buffer) => void;

/** Puts the size check and the failure guard in front of every 'data' listener the stream has now. */
export function guardMessages(stream: Stream, maxMessageBytes = MAX_MESSAGE_BYTES): void {
  const readers = stream.listeners('data') as DataListener[];
  for (const reader of readers) stream.removeListener('data', reader);
  const frames = new MessageFrames(maxMessageBytes);
  stream.on('data', (chunk: Buffer) => {
    if (stream.destroyed) return;
    const tooLarge = frames.scan(chunk);
    if (tooLarge) {
      stream.destroy(tooLarge);
      return;
    }
    try {
      for (const reader of readers) reader.call(stream, chunk);
    } catch (error) {
      stream.destroy(readFailed(error));
    }
  });
}

/** Follows message boundaries through the chunks of a stream that starts at one. */
export class MessageFrames {
  readonly #header = Buffer.alloc(HEADER_BYTES);
  #filled = 0;
  /** Bytes of the current message's body still to come. */
  #rest = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** The error that must end the connection, when a message in this chunk is over the cap or malformed. */
  scan(chunk: Buffer): ToolError | undefined {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#rest > 0) {
        const skipped = Math.min(this.#rest, chunk.length - offset);
        this.#rest -= skipped;
        offset += skipped;
        continue;
      }
      const taken = Math.min(HEADER_BYTES - this.#filled, chunk.length - offset);
      chunk.copy(this.#header, this.#filled, offset, offset + taken);
      this.#filled += taken;
      offset += taken;
      if (this.#filled < HEADER_BYTES) break;
      this.#filled = 0;
      const length = this.#header.readUInt32BE(1);
      if (length < 4) return new ToolError('PostgreSQL sent a malformed message, so the call was stopped and its connection closed. Retry the call.');
      if (length - 4 > this.maxMessageBytes) return tooLarge(this.#header[0] ?? 0, length + 1, this.maxMessageBytes);
      this.#rest = length - 4;
    }
    return undefined;
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

function tooLarge(type: number, bytes: number, max: number): ToolError {
  const what = type === 0x44 ? 'a row' : type === 0x45 || type === 0x4e ? 'an error or notice message' : 'a protocol message';
  return new ToolError(
    `PostgreSQL sent ${what} of ${megabytes(bytes)}, more than the ${megabytes(max)} this server reads in one message, so the call was stopped and its connection closed. ` +
      'Select less of the large values: leave those columns out, or cut them in the query (left(col, 1000), length(col), octet_length(col), jsonb_path_query(…)).',
  );
}

function readFailed(error: unknown): ToolError {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new ToolError(
    `Reading PostgreSQL's answer failed (${reason.slice(0, 200)}), so the call was stopped and its connection closed. ` +
      'If the result holds very large values, select less of them (left(col, 1000), length(col)); otherwise retry the call.',
    { cause: error },
  );
}
