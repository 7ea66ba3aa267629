import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { describe, expect, it } from "vitest";
import { checkStartupConfig } from "./check-startup-config.ts";

describe("checkStartupConfig", () => {
  it("reports every invalid variable and the key ring together, in one error", async () => {
    const err = await checkStartupConfig({
      PORT: "99999",
      LOG_LEVEL: "loud",
      ENCRYPTION_KEYS: "v1:not-a-key",
      SWITCHBOARD_LOCAL: "0",
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toMatch(/PORT:/);
    expect(message).toMatch(/LOG_LEVEL:/);
    expect(message).toMatch(/ENCRYPTION_KEYS: /);
  });

  it("requires ENCRYPTION_KEYS outside local mode, listed with the other problems", async () => {
    await expect(checkStartupConfig({ PORT: "x" })).rejects.toThrow(
      /PORT:[\s\S]*ENCRYPTION_KEYS: required outside the local runtime/,
    );
  });

  it("accepts a copied .env.example as is: empty values are unset and local mode needs no keys", async () => {
    await expect(
      checkStartupConfig({
        DATABASE_URL: "",
        DATA_DIR: ".data",
        PORT: "3000",
        ENCRYPTION_KEYS: "",
        SWITCHBOARD_LOCAL: "1",
      }),
    ).resolves.toBeUndefined();
  });

  it("passes on the shipped .env.example, read the way `npm start` reads .env", async () => {
    const env: NodeJS.ProcessEnv = parseEnv(readFileSync(".env.example", "utf8"));
    expect(env.SWITCHBOARD_LOCAL).toBeUndefined(); // an empty SWITCHBOARD_LOCAL= turned local mode off
    if (!env.SWITCHBOARD_LOCAL?.trim()) env.SWITCHBOARD_LOCAL = "1"; // as local/main.ts does
    await expect(checkStartupConfig(env)).resolves.toBeUndefined();
  });
});
