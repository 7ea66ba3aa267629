import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startPlaidSimulator } from "../../local/sandbox/plaid-server.ts";
import type { Simulator } from "../../local/sandbox/simulator.ts";
import { createPlaidSigner, type PlaidSigner } from "../../local/sandbox/webhook-signers.ts";
import { captureLogs } from "../../test/helpers/capture-logs.ts";
import {
  createPlaidKeySource,
  type PlaidKeyCacheLimits,
  sharedPlaidKeySource,
  verifyPlaidWebhook,
} from "./plaid-webhook.ts";
import { createProviderHttpClient } from "./provider-http-client.ts";
import type { WebhookVerificationError } from "./webhook-verification-error.ts";

let signer: PlaidSigner;
let plaid: Simulator;
const credentials = { clientId: "sandbox-plaid-client", secret: "sandbox-plaid-secret" };
const body = JSON.stringify({ webhook_type: "AUTH", webhook_code: "DEFAULT_UPDATE", item_id: "i" }, null, 2);
const limits: PlaidKeyCacheLimits = {
  maxKeys: 2,
  keyTtlMs: 3_600_000,
  maxUnknown: 100,
  unknownTtlMs: 600_000,
  lookups: 3,
  perMs: 60_000,
};

beforeAll(async () => {
  signer = await createPlaidSigner();
  plaid = await startPlaidSimulator(signer, credentials);
});
afterAll(async () => plaid?.close());
beforeEach(() => {
  plaid.requests.length = 0;
  plaid.clearFaults();
});

const bytes = (text: string) => new TextEncoder().encode(text);
const lookups = () => plaid.requestsTo("POST /webhook_verification_key/get").length;
const source = (now = () => Date.now()) =>
  createPlaidKeySource({ apiUrl: plaid.url, ...credentials }, limits, now);

describe("Plaid webhook verification on Web Crypto", () => {
  it("accepts a token signed by Plaid's key over the exact body, fetching the key once", async () => {
    const keys = source();
    await verifyPlaidWebhook(bytes(body), await signer.sign(body), keys);
    await verifyPlaidWebhook(bytes(body), await signer.sign(body), keys);
    expect(lookups()).toBe(1);
  });

  it("rejects another key, a changed body, a stale or future iat, and a token that is not a JWS", async () => {
    const keys = source();
    const other = await createPlaidSigner();
    const now = Math.floor(Date.now() / 1000);
    const reason = (p: Promise<void>) =>
      p.then(
        () => "accepted",
        (e: { reason: string }) => e.reason,
      );
    expect(
      await reason(verifyPlaidWebhook(bytes(body), await other.sign(body, { kid: signer.kid }), keys)),
    ).toBe("invalid_signature");
    expect(await reason(verifyPlaidWebhook(bytes(`${body} `), await signer.sign(body), keys))).toBe(
      "invalid_signature",
    );
    expect(
      await reason(verifyPlaidWebhook(bytes(body), await signer.sign(body, { iatSec: now - 301 }), keys)),
    ).toBe("stale_timestamp");
    expect(
      await reason(verifyPlaidWebhook(bytes(body), await signer.sign(body, { iatSec: now + 120 }), keys)),
    ).toBe("future_timestamp");
    expect(await reason(verifyPlaidWebhook(bytes(body), "a.b", keys))).toBe("malformed_header");
    expect(await reason(verifyPlaidWebhook(bytes(body), null, keys))).toBe("missing_header");
  });

  it("forged key ids cost at most the global look-up budget, then 503 without calling Plaid", async () => {
    const keys = source();
    const results: string[] = [];
    for (let i = 0; i < 20; i++) {
      const forged = await signer.sign(body, { kid: `forged-${i}` });
      results.push(
        await verifyPlaidWebhook(bytes(body), forged, keys).then(
          () => "ok",
          (e: { code: string }) => e.code,
        ),
      );
    }
    expect(lookups()).toBe(limits.lookups);
    expect(results.slice(0, 3)).toEqual(["invalid_signature", "invalid_signature", "invalid_signature"]);
    expect(new Set(results.slice(3))).toEqual(new Set(["unavailable"]));
  });

  it("remembers an unknown id, so repeating one forged id calls Plaid once", async () => {
    const keys = source();
    for (let i = 0; i < 10; i++) {
      await expect(
        verifyPlaidWebhook(bytes(body), await signer.sign(body, { kid: "forged" }), keys),
      ).rejects.toThrow();
    }
    expect(lookups()).toBe(1);
  });

  it("refills the budget with time and shares one call between concurrent look-ups of an id", async () => {
    let now = 1_000_000;
    const keys = source(() => now);
    await Promise.all(Array.from({ length: 10 }, () => keys.getKey(signer.kid)));
    expect(lookups()).toBe(1);
    for (let i = 0; i < 2; i++) await keys.getKey(`x${i}`);
    await expect(keys.getKey("x-over")).rejects.toMatchObject({ code: "unavailable" });
    now += 20_000;
    await expect(keys.getKey("x-after")).resolves.toBeUndefined();
    expect(lookups()).toBe(4);
  });

  it("reports Plaid refusing our credentials as unavailable, not as a forged key", async () => {
    const keys = createPlaidKeySource({ apiUrl: plaid.url, clientId: "wrong", secret: "wrong" }, limits);
    await expect(keys.getKey(signer.kid)).rejects.toMatchObject({ code: "unavailable" });
  });

  it("looks keys up through the provider HTTP client: timed, logged, a Plaid outage is unavailable", async () => {
    const calls: string[] = [];
    const http = createProviderHttpClient({
      fetch: (input, init) => {
        calls.push(`${init?.method} ${String(input)}`);
        return fetch(input, init);
      },
    });
    const keys = createPlaidKeySource({ apiUrl: plaid.url, ...credentials }, limits, Date.now, http);
    plaid.fault("POST /webhook_verification_key/get", { status: 503, times: 1 });
    await expect(keys.getKey(signer.kid)).rejects.toMatchObject({ code: "unavailable" });
    await expect(keys.getKey(signer.kid)).resolves.toBeDefined();
    expect(calls).toEqual([
      `POST ${plaid.url}/webhook_verification_key/get`,
      `POST ${plaid.url}/webhook_verification_key/get`,
    ]);
  });
});

describe("Plaid tokens at their edges", () => {
  const NOW = 1_900_000_000;
  const enc = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  /** A compact JWS over any header and claims, signed with the sandbox Plaid key (raw r‖s). */
  async function jws(header: unknown, claims: unknown): Promise<string> {
    const key = await crypto.subtle.importKey(
      "jwk",
      signer.privateJwk,
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["sign"],
    );
    const input = `${typeof header === "string" ? header : enc(header)}.${typeof claims === "string" ? claims : enc(claims)}`;
    const sig = await crypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-256" },
      key,
      new TextEncoder().encode(input),
    );
    return `${input}.${Buffer.from(sig).toString("base64url")}`;
  }
  const hash = createHash("sha256").update(body).digest("hex");
  const claims = (extra: Record<string, unknown> = {}) => ({ iat: NOW, request_body_sha256: hash, ...extra });
  const header = () => ({ alg: "ES256", kid: signer.kid, typ: "JWT" });
  const reason = (token: string, at = NOW, keys = source()) =>
    verifyPlaidWebhook(bytes(body), token, keys, at * 1000).then(
      () => "ok",
      (e: { reason?: string; code?: string }) => e.reason ?? e.code,
    );

  it("accepts iat up to 300 s old and 30 s ahead, and an exp not yet passed", async () => {
    const token = await jws(header(), claims({ exp: NOW + 1 }));
    expect(await reason(token)).toBe("ok");
    expect(await reason(token, NOW + 300)).toBe("stale_timestamp"); // exp passed first
    const noExp = await jws(header(), claims());
    expect(await reason(noExp, NOW + 300)).toBe("ok");
    expect(await reason(noExp, NOW + 301)).toBe("stale_timestamp");
    expect(await reason(noExp, NOW - 30)).toBe("ok");
    expect(await reason(noExp, NOW - 31)).toBe("future_timestamp");
    expect(await reason(await jws(header(), claims({ exp: NOW })))).toBe("stale_timestamp");
    expect(await reason(await jws(header(), claims({ exp: String(NOW - 10) })))).toBe("ok");
  });

  it("refuses a token without a numeric iat or without the body's hash", async () => {
    expect(await reason(await jws(header(), { request_body_sha256: hash }))).toBe("invalid_signature");
    expect(await reason(await jws(header(), claims({ iat: String(NOW) })))).toBe("invalid_signature");
    expect(await reason(await jws(header(), { iat: NOW }))).toBe("invalid_signature");
    expect(await reason(await jws(header(), claims({ request_body_sha256: hash.toUpperCase() })))).toBe(
      "invalid_signature",
    );
  });

  it("refuses another algorithm, a missing or empty kid, and segments that are not JSON objects", async () => {
    expect(await reason(await jws({ ...header(), alg: "HS256" }, claims()))).toBe("malformed_header");
    expect(await reason(await jws({ alg: "ES256" }, claims()))).toBe("malformed_header");
    expect(await reason(await jws({ alg: "ES256", kid: "" }, claims()))).toBe("malformed_header");
    expect(await reason(await jws({ alg: "ES256", kid: 7 }, claims()))).toBe("malformed_header");
    expect(await reason(await jws([header()], claims()))).toBe("malformed_header");
    expect(await reason(await jws(header(), null))).toBe("malformed_header");
    expect(await reason(await jws(header(), 5))).toBe("malformed_header");
    expect(await reason(await jws(header(), "bm90IGpzb24"))).toBe("malformed_header");
    expect(await reason(`${await jws(header(), claims())}.extra`)).toBe("malformed_header");
    expect(lookups()).toBe(0);
  });

  it("refuses a signature that is not 64 raw bytes, or not over this header and payload", async () => {
    const token = await jws(header(), claims());
    const [h, p, s] = token.split(".") as [string, string, string];
    const raw = Buffer.from(s, "base64url");
    expect(await reason(`${h}.${p}.${Buffer.concat([raw, Buffer.from([0])]).toString("base64url")}`)).toBe(
      "invalid_signature",
    );
    expect(await reason(`${h}.${p}.${raw.subarray(1).toString("base64url")}`)).toBe("invalid_signature");
    const other = await jws(header(), claims({ extra: 1 }));
    expect(await reason(`${h}.${other.split(".")[1]}.${s}`)).toBe("invalid_signature");
  });
});

describe("Plaid key look-ups at their edges", () => {
  const key = () => ({ ...signer.jwk, created_at: 1_700_000_000, expired_at: null });

  it("treats an expired key or a 404 as unknown, remembered for the unknown TTL", async () => {
    let now = 1_000_000;
    const keys = source(() => now);
    plaid.fault("POST /webhook_verification_key/get", {
      status: 200,
      body: { key: { ...key(), expired_at: 1 } },
      times: 1,
    });
    expect(await keys.getKey(signer.kid)).toBeUndefined();
    expect(await keys.getKey(signer.kid)).toBeUndefined();
    expect(lookups()).toBe(1);
    now += limits.unknownTtlMs;
    expect(await keys.getKey(signer.kid)).toBeDefined();
    expect(lookups()).toBe(2);
    plaid.fault("POST /webhook_verification_key/get", { status: 404, body: {}, times: 1 });
    expect(await keys.getKey("gone")).toBeUndefined();
    expect(await keys.getKey("gone")).toBeUndefined();
    expect(lookups()).toBe(3);
  });

  it("keeps a known key for its TTL, then fetches it again", async () => {
    let now = 1_000_000;
    const keys = source(() => now);
    const first = await keys.getKey(signer.kid);
    now += limits.keyTtlMs - 1;
    expect(await keys.getKey(signer.kid)).toBe(first);
    expect(lookups()).toBe(1);
    now += 1;
    expect(await keys.getKey(signer.kid)).toBeDefined();
    expect(lookups()).toBe(2);
  });

  it("does not remember a refusal of our credentials, and names the code", async () => {
    const keys = createPlaidKeySource({ apiUrl: plaid.url, clientId: "wrong", secret: "wrong" }, limits);
    await expect(keys.getKey(signer.kid)).rejects.toThrow(/INVALID_API_KEYS/);
    await expect(keys.getKey(signer.kid)).rejects.toThrow(/INVALID_API_KEYS/);
    plaid.fault("POST /webhook_verification_key/get", { status: 400, body: {}, times: 1 });
    await expect(source().getKey(signer.kid)).rejects.toThrow(/\(400\)/);
    expect(lookups()).toBe(3);
  });

  it("calls Plaid's API at its base URL whatever trailing slashes it is configured with", async () => {
    const keys = createPlaidKeySource({ apiUrl: `${plaid.url}//`, ...credentials }, limits);
    expect(await keys.getKey(signer.kid)).toBeDefined();
    expect(lookups()).toBe(1);
  });

  it("spends the look-up budget only on ids it has never seen, refilling one per perMs/lookups", async () => {
    let now = 5_000_000;
    const keys = source(() => now);
    await keys.getKey(signer.kid);
    for (let i = 0; i < 5; i++) await keys.getKey(signer.kid);
    await keys.getKey("u1");
    await keys.getKey("u1");
    await keys.getKey("u2");
    await expect(keys.getKey("u3")).rejects.toMatchObject({ code: "unavailable" });
    now += limits.perMs / limits.lookups - 1;
    await expect(keys.getKey("u3")).rejects.toMatchObject({ code: "unavailable" });
    now += 1;
    expect(await keys.getKey("u3")).toBeUndefined();
    await expect(keys.getKey("u4")).rejects.toMatchObject({ code: "unavailable" });
    now += 10 * limits.perMs;
    for (const id of ["a", "b", "c"]) expect(await keys.getKey(id)).toBeUndefined();
    await expect(keys.getKey("d")).rejects.toMatchObject({ code: "unavailable" });
  });

  it("shares one key source per Plaid account across callers", () => {
    const config = { apiUrl: plaid.url, ...credentials };
    expect(sharedPlaidKeySource(config)).toBe(sharedPlaidKeySource({ ...config }));
    expect(sharedPlaidKeySource(config)).not.toBe(sharedPlaidKeySource({ ...config, clientId: "other" }));
  });
});

describe("Plaid verification failures as callers see them", () => {
  const NOW = 1_900_000_000;
  const enc = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  async function jws(header: unknown, claims: unknown): Promise<string> {
    const key = await crypto.subtle.importKey(
      "jwk",
      signer.privateJwk,
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["sign"],
    );
    const input = `${enc(header)}.${enc(claims)}`;
    const sig = await crypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-256" },
      key,
      new TextEncoder().encode(input),
    );
    return `${input}.${Buffer.from(sig).toString("base64url")}`;
  }
  const hash = createHash("sha256").update(body).digest("hex");
  const header = () => ({ alg: "ES256", kid: signer.kid });

  it("names the provider, reason and a message for each failure (the message is the 4xx answer)", async () => {
    const good = await jws(header(), { iat: NOW, request_body_sha256: hash });
    const [h, p] = good.split(".");
    const cases: [string | null, string, string][] = [
      [null, "missing_header", "Missing Plaid-Verification header"],
      ["a.b", "malformed_header", "Plaid-Verification is not a JWT"],
      [
        await jws({ alg: "none", kid: "k" }, {}),
        "malformed_header",
        "Plaid-Verification must be ES256 with a kid",
      ],
      [
        await jws({ alg: "ES256", kid: "unknown-kid" }, {}),
        "invalid_signature",
        "Unknown or expired Plaid key",
      ],
      [`${h}.${p}.AAAA`, "invalid_signature", "Plaid signature does not verify"],
      [await jws(header(), { request_body_sha256: hash }), "invalid_signature", "Plaid token has no iat"],
      [
        await jws(header(), { iat: NOW + 31, request_body_sha256: hash }),
        "future_timestamp",
        "Plaid token iat is in the future",
      ],
      [
        await jws(header(), { iat: NOW - 301, request_body_sha256: hash }),
        "stale_timestamp",
        "Plaid token is too old",
      ],
      [
        await jws(header(), { iat: NOW, exp: NOW, request_body_sha256: hash }),
        "stale_timestamp",
        "Plaid token expired",
      ],
      [
        await jws(header(), { iat: NOW, request_body_sha256: [hash] }),
        "invalid_signature",
        "Plaid body hash does not match",
      ],
    ];
    const keys = source();
    for (const [token, reason, message] of cases) {
      const error = await verifyPlaidWebhook(bytes(body), token, keys, NOW * 1000).catch(
        (e: WebhookVerificationError) => e,
      );
      expect(error, message).toMatchObject({ reason, message, context: { provider: "plaid", reason } });
    }
  });

  it("refills the look-up budget one id per perMs/lookups, steadily", async () => {
    let now = 7_000_000;
    const keys = source(() => now);
    for (const id of ["s1", "s2", "s3"]) await keys.getKey(id);
    await expect(keys.getKey("s4")).rejects.toThrow(
      "Too many look-ups of unknown Plaid key ids; try again later",
    );
    for (const id of ["s4", "s5", "s6"]) {
      now += limits.perMs / limits.lookups;
      expect(await keys.getKey(id)).toBeUndefined();
      await expect(keys.getKey(`${id}-over`)).rejects.toMatchObject({ code: "unavailable" });
    }
  });

  it("looks a key up as a logged, JSON-typed provider call, and says why a look-up failed", async () => {
    const logs = captureLogs();
    try {
      await source().getKey(signer.kid);
    } finally {
      logs.stop();
    }
    expect(plaid.requests[0]!.headers["content-type"]).toBe("application/json");
    const call = logs.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.message === "provider call");
    expect(call).toMatchObject({ provider: "plaid", operation: "webhook.verification_key" });

    plaid.fault("POST /webhook_verification_key/get", { status: 502, times: 1 });
    await expect(source().getKey(signer.kid)).rejects.toThrow("Plaid answered 502 for its verification key");
    const cause = new TypeError("fetch failed");
    const unreachable = createProviderHttpClient({ fetch: () => Promise.reject(cause) });
    const error = await createPlaidKeySource(
      { apiUrl: plaid.url, ...credentials },
      limits,
      Date.now,
      unreachable,
    )
      .getKey(signer.kid)
      .catch((e: Error) => e);
    expect(error).toMatchObject({
      code: "unavailable",
      message: "Could not fetch Plaid's webhook verification key",
    });
    expect((error as Error).cause).toMatchObject({ code: "network_error" });
    const emptyRefusal = createProviderHttpClient({ fetch: async () => new Response("", { status: 400 }) });
    await expect(
      createPlaidKeySource({ apiUrl: plaid.url, ...credentials }, limits, Date.now, emptyRefusal).getKey("k"),
    ).rejects.toThrow("Plaid refused the verification-key look-up (400)");
  });
});
