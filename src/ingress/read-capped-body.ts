import { AppError } from "../errors.ts";

export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export class PayloadTooLargeError extends AppError {
  constructor(limit: number) {
    super("payload_too_large", `Body exceeds ${limit} bytes`, { retryable: false });
  }
}

/**
 * Reads a request body's exact bytes (signatures are checked over these, never decoded text), refusing (without reading the rest) anything over `limit`:
 * first by Content-Length, then while streaming for bodies that lie about it or are chunked.
 */
export async function readCappedBody(
  request: Request,
  limit = MAX_WEBHOOK_BYTES,
): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw new PayloadTooLargeError(limit);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new PayloadTooLargeError(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
