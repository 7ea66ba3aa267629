import { describe, expect, it } from "vitest";
import { MAX_WEBHOOK_BYTES, PayloadTooLargeError, readCappedBody } from "./read-capped-body.ts";

/** A chunked request body (no Content-Length) that records how far it was read and whether it was cancelled. */
function streamed(chunks: Uint8Array[], headers: Record<string, string> = {}) {
  const seen = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = chunks[seen.pulled++];
        if (next) controller.enqueue(next);
        else controller.close();
      },
      cancel() {
        seen.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  const request = new Request("http://x/webhooks/stripe", {
    method: "POST",
    body,
    headers,
    duplex: "half",
  } as RequestInit);
  return { request, seen };
}
const filled = (n: number, value = 1) => new Uint8Array(n).fill(value);

describe("reading a capped webhook body", () => {
  it("returns the exact bytes of every chunk in order, up to the limit inclusive", async () => {
    const { request } = streamed([new Uint8Array([1, 2]), new Uint8Array([3]), new Uint8Array([4, 5, 6])]);
    expect([...(await readCappedBody(request, 6))]).toEqual([1, 2, 3, 4, 5, 6]);
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]);
    expect([...(await readCappedBody(new Request("http://x", { method: "POST", body: bom })))]).toEqual([
      ...bom,
    ]);
  });

  it("returns no bytes for a request without a body", async () => {
    expect((await readCappedBody(new Request("http://x", { method: "POST" }))).byteLength).toBe(0);
  });

  it("refuses a chunked body one byte over the limit, cancelling the stream instead of reading on", async () => {
    const { request, seen } = streamed([filled(4), filled(3), filled(100), filled(100)]);
    await expect(readCappedBody(request, 6)).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled).toBeLessThanOrEqual(3);
  });

  it("refuses by Content-Length before reading anything, and accepts a declared length at the limit", async () => {
    const { request, seen } = streamed([filled(2)], { "content-length": String(MAX_WEBHOOK_BYTES + 1) });
    const error = await readCappedBody(request).catch((e) => e);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error.code).toBe("payload_too_large");
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(`Body exceeds ${MAX_WEBHOOK_BYTES} bytes`);
    expect(seen.pulled).toBe(0);
    const atLimit = streamed([filled(2)], { "content-length": String(MAX_WEBHOOK_BYTES) });
    expect((await readCappedBody(atLimit.request)).byteLength).toBe(2);
  });

  it("caps at 1 MiB by default", async () => {
    expect(MAX_WEBHOOK_BYTES).toBe(1_048_576);
    const { request } = streamed([filled(MAX_WEBHOOK_BYTES), filled(1)]);
    await expect(readCappedBody(request)).rejects.toBeInstanceOf(PayloadTooLargeError);
    const exact = streamed([filled(MAX_WEBHOOK_BYTES - 1), filled(1)]);
    expect((await readCappedBody(exact.request)).byteLength).toBe(MAX_WEBHOOK_BYTES);
  });
});
