import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureLogs } from "../../test/helpers/capture-logs.ts";
import { resetConfig } from "../config.ts";
import { ConfigError } from "../errors.ts";
import { readOrCreateDevSecret } from "./dev-secret.ts";
import { getKeyRing, resetKeyRing } from "./load-key-ring.ts";
import { loadOAuthStateSecret } from "./load-oauth-state-secret.ts";

let dir: string;
const saved = { ...process.env };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sb-dev-secret-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  process.env = { ...saved };
  resetConfig();
  resetKeyRing();
});

describe("development secrets", () => {
  it("creates the file once (mode 0600, nested directory) and then reads it back trimmed", () => {
    const nested = join(dir, "a", "b");
    let made = 0;
    const make = () => `secret-${++made}`;
    expect(readOrCreateDevSecret(nested, "k", make)).toBe("secret-1");
    expect(readFileSync(join(nested, "k"), "utf8")).toBe("secret-1\n");
    expect(statSync(join(nested, "k")).mode & 0o777).toBe(0o600);
    expect(readOrCreateDevSecret(nested, "k", make)).toBe("secret-1");
    expect(made).toBe(1);
    writeFileSync(join(nested, "k"), "  theirs \n");
    expect(readOrCreateDevSecret(nested, "k", make)).toBe("theirs");
  });

  it("reads the key ring from ENCRYPTION_KEYS, once per process until reset", async () => {
    const ring = await getKeyRing();
    expect(ring.versions).toEqual(["v2", "v1"]);
    expect(await getKeyRing()).toBe(ring);
    resetKeyRing();
    expect(await getKeyRing()).not.toBe(ring);
  });

  it("outside local mode, refuses to run without ENCRYPTION_KEYS or OAUTH_STATE_SECRET, and retries after a fix", async () => {
    delete process.env.ENCRYPTION_KEYS;
    delete process.env.OAUTH_STATE_SECRET;
    delete process.env.SWITCHBOARD_LOCAL;
    process.env.DATA_DIR = dir;
    resetConfig();
    resetKeyRing();
    await expect(getKeyRing()).rejects.toBeInstanceOf(ConfigError);
    expect(() => loadOAuthStateSecret()).toThrow(ConfigError);
    process.env.ENCRYPTION_KEYS = saved.ENCRYPTION_KEYS;
    resetConfig();
    expect((await getKeyRing()).versions).toEqual(["v2", "v1"]);
  });

  it("in local mode, generates a development key and state secret under DATA_DIR and keeps them", async () => {
    delete process.env.ENCRYPTION_KEYS;
    delete process.env.OAUTH_STATE_SECRET;
    process.env.SWITCHBOARD_LOCAL = "1";
    process.env.DATA_DIR = dir;
    resetConfig();
    resetKeyRing();
    const ring = await getKeyRing();
    expect(ring.versions).toEqual(["dev1"]);
    expect(readFileSync(join(dir, "dev-encryption-key"), "utf8")).toMatch(/^dev1:[A-Za-z0-9+/]{43}=\n$/);
    const state = loadOAuthStateSecret();
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(readFileSync(join(dir, "dev-oauth-state-secret"), "utf8")).toBe(`${state}\n`);
    expect(loadOAuthStateSecret()).toBe(state);
    process.env.OAUTH_STATE_SECRET = "configured-state-secret-0123456789abcdef";
    resetConfig();
    expect(loadOAuthStateSecret()).toBe("configured-state-secret-0123456789abcdef");
  });

  it("uses the file another process created first, never overwriting it", () => {
    const path = join(dir, "raced");
    const value = readOrCreateDevSecret(dir, "raced", () => {
      writeFileSync(path, "theirs\n");
      return "mine";
    });
    expect(value).toBe("theirs");
    expect(readFileSync(path, "utf8")).toBe("theirs\n");
  });

  it("says what is missing outside local mode, and warns where the development key is kept", async () => {
    delete process.env.ENCRYPTION_KEYS;
    delete process.env.OAUTH_STATE_SECRET;
    delete process.env.SWITCHBOARD_LOCAL;
    process.env.DATA_DIR = dir;
    resetConfig();
    resetKeyRing();
    await expect(getKeyRing()).rejects.toThrow(
      "ENCRYPTION_KEYS is required outside the local runtime (see .env.example)",
    );
    expect(() => loadOAuthStateSecret()).toThrow("OAUTH_STATE_SECRET is required outside the local runtime");
    process.env.SWITCHBOARD_LOCAL = "1";
    resetConfig();
    resetKeyRing();
    const logs = captureLogs();
    try {
      await getKeyRing();
    } finally {
      logs.stop();
    }
    const warning = logs.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.level === "warn");
    expect(warning).toMatchObject({
      message: "ENCRYPTION_KEYS is not set: using a generated development key; never use it in production",
      path: join(dir, "dev-encryption-key"),
    });
  });
});
