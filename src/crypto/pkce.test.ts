import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createPkcePair } from "./pkce.ts";

describe("PKCE pairs", () => {
  it("makes a fresh 64-character verifier and its S256 challenge (RFC 7636)", async () => {
    const { verifier, challenge } = await createPkcePair();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(challenge).toBe(createHash("sha256").update(verifier).digest("base64url"));
    expect((await createPkcePair()).verifier).not.toBe(verifier);
  });
});
