import type { IncomingMessage } from 'node:http';

export type BodyResult =
  | { ok: true; body: unknown }
  | { ok: false; status: 400 | 413 | 415; code: number; message: string };

/**
 * Reads a JSON request body up to `limit` bytes. A declared or streamed size over the limit is
 * refused without buffering the rest; malformed JSON is a JSON-RPC parse error.
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
    return { ok: true, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return { ok: false, status: 400, code: -32700, message: 'Parse error: the body is not valid JSON' };
  }
}
