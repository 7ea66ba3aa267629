import { afterEach, describe, expect, it } from "vitest";
import { AppError, ConfigError, NotFoundError, UnavailableError, ValidationError } from "../errors.ts";
import {
  createEdgeIngressDeps,
  getIngressDeps,
  oauthSettingsFromEnv,
  plaidKeysFromEnv,
  setIngressDeps,
} from "./ingress-deps.ts";
import { errorResponse, jsonResponse } from "./json-response.ts";

const KEYS = process.env.ENCRYPTION_KEYS!;
const edgeEnv = () => ({
  DATABASE_URL: "postgres://u:p@db.example.invalid/app",
  ENCRYPTION_KEYS: KEYS,
  TRIGGER_SECRET_KEY: "tr_dev_x",
});
afterEach(() => setIngressDeps(undefined));

describe("web handler dependencies", () => {
  it.each(["DATABASE_URL", "ENCRYPTION_KEYS", "TRIGGER_SECRET_KEY"] as const)(
    "refuses to build edge dependencies without %s, naming it",
    async (name) => {
      const env: Record<string, string | undefined> = { ...edgeEnv(), [name]: undefined };
      const attempt = createEdgeIngressDeps(env);
      await expect(attempt).rejects.toBeInstanceOf(ConfigError);
      await expect(attempt).rejects.toThrow(`${name} is required by the web handlers`);
    },
  );

  it("builds edge dependencies with OAuth and Plaid only when they are configured", async () => {
    const bare = await createEdgeIngressDeps(edgeEnv());
    expect(bare.oauth).toBeUndefined();
    expect(bare.plaidKeys).toBeUndefined();
    expect(bare.keyRing.versions).toEqual(["v2", "v1"]);
    expect(bare.inboundRoutes).toBeDefined();
    const full = await createEdgeIngressDeps({
      ...edgeEnv(),
      PUBLIC_BASE_URL: "https://hooks.example.com",
      OAUTH_STATE_SECRET: "s".repeat(32),
      PLAID_CLIENT_ID: "c",
      PLAID_SECRET: "s",
    });
    expect(full.oauth).toMatchObject({ publicBaseUrl: "https://hooks.example.com" });
    expect(full.plaidKeys).toBeDefined();
    expect(
      (await createEdgeIngressDeps({ ...edgeEnv(), PUBLIC_BASE_URL: "https://hooks.example.com" })).oauth,
    ).toBeUndefined();
  });

  it("reads Plaid's key source from PLAID_CLIENT_ID and PLAID_SECRET, one per account", () => {
    expect(plaidKeysFromEnv({ PLAID_CLIENT_ID: "c" })).toBeUndefined();
    expect(plaidKeysFromEnv({ PLAID_SECRET: "s" })).toBeUndefined();
    const a = plaidKeysFromEnv({ PLAID_CLIENT_ID: "c", PLAID_SECRET: "s" });
    expect(a).toBeDefined();
    expect(plaidKeysFromEnv({ PLAID_CLIENT_ID: "c", PLAID_SECRET: "s" })).toBe(a);
    expect(
      plaidKeysFromEnv({
        PLAID_CLIENT_ID: "c",
        PLAID_SECRET: "s",
        PLAID_API_URL: "https://sandbox.plaid.com",
      }),
    ).not.toBe(a);
    expect(
      plaidKeysFromEnv({
        PLAID_CLIENT_ID: "c",
        PLAID_SECRET: "s",
        PLAID_API_URL: "https://production.plaid.com",
      }),
    ).toBe(a);
  });

  it("derives OAuth settings: trimmed values, APP_URL as the default return, both origins allowed", () => {
    expect(
      oauthSettingsFromEnv({
        PUBLIC_BASE_URL: " https://hooks.example.com/base ",
        OAUTH_STATE_SECRET: " secret ",
        APP_URL: " https://app.example.com/home ",
      }),
    ).toEqual({
      stateSecret: "secret",
      publicBaseUrl: "https://hooks.example.com/base",
      allowedReturnOrigins: ["https://app.example.com", "https://hooks.example.com"],
      defaultReturnUrl: "https://app.example.com/home",
    });
    expect(
      oauthSettingsFromEnv(
        { PUBLIC_BASE_URL: " ", OAUTH_STATE_SECRET: "s", APP_URL: "" },
        "http://127.0.0.1:3000",
      ),
    ).toEqual({
      stateSecret: "s",
      publicBaseUrl: "http://127.0.0.1:3000",
      allowedReturnOrigins: ["http://127.0.0.1:3000"],
      defaultReturnUrl: "http://127.0.0.1:3000",
    });
    expect(() =>
      oauthSettingsFromEnv({ PUBLIC_BASE_URL: "https://x.example", OAUTH_STATE_SECRET: " " }),
    ).toThrow("PUBLIC_BASE_URL and OAUTH_STATE_SECRET are required for OAuth");
    expect(() => oauthSettingsFromEnv({ OAUTH_STATE_SECRET: "s" })).toThrow(ConfigError);
  });

  it("builds dependencies once per environment object, retries a failed build, and prefers installed ones", async () => {
    const env = edgeEnv();
    const first = getIngressDeps(env);
    expect(getIngressDeps(env)).toBe(first);
    expect(getIngressDeps(edgeEnv())).not.toBe(first);
    await first;
    const broken: Record<string, string | undefined> = { ...edgeEnv(), TRIGGER_SECRET_KEY: undefined };
    const failed = getIngressDeps(broken);
    await expect(failed).rejects.toBeInstanceOf(ConfigError);
    broken.TRIGGER_SECRET_KEY = "tr_dev_y";
    await expect(getIngressDeps(broken)).resolves.toBeDefined();
    const installed = await first;
    setIngressDeps(installed);
    expect(await getIngressDeps(edgeEnv())).toBe(installed);
  });
});

describe("handler answers", () => {
  it("answers JSON with extra headers", async () => {
    const response = jsonResponse(201, { a: 1 }, { "x-extra": "1" });
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-extra")).toBe("1");
    expect(await response.json()).toEqual({ a: 1 });
  });

  it("answers an error through the status table, hiding the message of a 5xx", async () => {
    const answer = async (err: unknown) => {
      const response = errorResponse(err);
      return [response.status, await response.json()];
    };
    expect(await answer(new ValidationError("bad input"))).toEqual([
      400,
      { error: "bad input", code: "validation_failed" },
    ]);
    expect(await answer(new NotFoundError("no such thing"))).toEqual([
      404,
      { error: "no such thing", code: "not_found" },
    ]);
    expect(await answer(new UnavailableError("db down at 10.0.0.5"))).toEqual([
      503,
      { error: "Internal error", code: "unavailable" },
    ]);
    expect(await answer(new Error("secret detail"))).toEqual([500, { error: "Internal error" }]);
  });

  it("hides the message of an error answered 500, and needs OAUTH_STATE_SECRET for OAuth", async () => {
    const response = errorResponse(new AppError("boom", "secret detail", { retryable: false }));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: "Internal error", code: "boom" });
    expect(() => oauthSettingsFromEnv({ PUBLIC_BASE_URL: "https://x.example" })).toThrow(ConfigError);
  });
});
