import { PayloadTooLargeError } from "../../src/ingress/read-capped-body.ts";

/**
 * The non-empty lines of an NDJSON request body, read as a stream: a line longer than
 * `maxLineBytes` stops the read with `PayloadTooLargeError`, so no single item is ever buffered
 * beyond its cap.
 */
export async function* readNdjsonLines(request: Request, maxLineBytes: number): AsyncGenerator<string> {
  if (!request.body) return;
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let pending = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      pending += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline = pending.indexOf("\n");
      while (newline >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (Buffer.byteLength(line) > maxLineBytes) throw new PayloadTooLargeError(maxLineBytes);
        if (line.trim()) yield line;
        newline = pending.indexOf("\n");
      }
      if (Buffer.byteLength(pending) > maxLineBytes) throw new PayloadTooLargeError(maxLineBytes);
      if (done) break;
    }
    if (pending.trim()) yield pending;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
