import type { IncomingMessage } from 'node:http';
import { JsonTooDeepError, MAX_JSON_DEPTH, parseJsonWithinDepth } from '@bastion-mcp/schema';

export type BodyResult =
  | { ok: true; body: unknown }
  | { ok: false; status: 400 | 413 | 415; code: number; message: string };

/**
 * Reads a JSON request body up to `limit` bytes. A declared or streamed size over the limit is
 * refused without buffering the rest; malformed JSON, or JSON nested deeper than MAX_JSON_DEPTH
 * (checked on the raw text, so the SDK never sees such a body), is a JSON-RPC parse error.
 */
export async function readJsonBody(request: IncomingMessage, limit: number): Promise<BodyResult> {
  const contentType = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(contentType)) {
    return { ok: false, status: 415, code: -32600, message: 'Content-Type must be application/json' };
  }
  const declared = Number(request.headers['content-length']);
  const tooLarge = { ok: false, status: 413, code: -32600, message: `request body exceeds ${limit} bytes` } as const;
  if (Number.isFinite(declared) && declared > limit) return tooLarge;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      request.resume();
      return tooLarge;
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return { ok: true, body: parseJsonWithinDepth(Buffer.concat(chunks).toString('utf8'), MAX_JSON_DEPTH) };
  } catch (error) {
    const message = JsonTooDeepError.isInstance(error)
      ? `Parse error: the body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels; send a flatter request`
      : 'Parse error: the body is not valid JSON';
    return { ok: false, status: 400, code: -32700, message };
  }
}
