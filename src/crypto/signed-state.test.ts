import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { signState, verifyState } from "./signed-state.ts";

const SECRET = "state-secret-of-at-least-thirty-two-chars";
const payload = { tenantId: "t1", provider: "google_drive", nonce: "n1", expiresAt: 1_900_000_000 };

describe("signed OAuth state", () => {
  it("accepts a state up to its expiry second and refuses it one millisecond later", async () => {
    const state = await signState(SECRET, payload);
    await expect(verifyState(SECRET, state, payload.expiresAt * 1000)).resolves.toEqual(payload);
    await expect(verifyState(SECRET, state, payload.expiresAt * 1000 + 1)).rejects.toThrow(/expired/);
  });

  it("refuses a state signed with another secret, altered, or in the wrong shape", async () => {
    const state = await signState(SECRET, payload);
    const now = payload.expiresAt * 1000 - 1;
    await expect(verifyState(`${SECRET}!`, state, now)).rejects.toThrow(/signature is invalid/);
    const [body, mac] = state.split(".");
    const forged = Buffer.from(JSON.stringify({ ...payload, tenantId: "t2" })).toString("base64url");
    await expect(verifyState(SECRET, `${forged}.${mac}`, now)).rejects.toThrow(/signature is invalid/);
    await expect(verifyState(SECRET, `${body}.${mac}.x`, now)).rejects.toThrow(/malformed/);
    await expect(verifyState(SECRET, `${body}`, now)).rejects.toThrow(/malformed/);
  });

  it("refuses a signed state without a numeric expiry", async () => {
    const state = await signState(SECRET, { ...payload, expiresAt: "never" as unknown as number });
    await expect(verifyState(SECRET, state, 0)).rejects.toThrow(/expired/);
  });

  it("refuses an empty part, and a correctly signed body that is not JSON", async () => {
    const state = await signState(SECRET, payload);
    const now = payload.expiresAt * 1000 - 1;
    const [body, mac] = state.split(".");
    await expect(verifyState(SECRET, `${body}.`, now)).rejects.toThrow(/malformed/);
    await expect(verifyState(SECRET, `.${mac}`, now)).rejects.toThrow(/malformed/);
    const junk = Buffer.from("not json").toString("base64url");
    const junkMac = createHmac("sha256", SECRET).update(junk).digest("base64url");
    await expect(verifyState(SECRET, `${junk}.${junkMac}`, now)).rejects.toThrow(/malformed/);
    await expect(verifyState(SECRET, `${junk}.${junkMac}`, now)).rejects.toBeInstanceOf(ValidationError);
  });
});
