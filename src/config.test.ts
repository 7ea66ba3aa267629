import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { getConfig, isolateTaskFiles, parseEnv, resetConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";

describe("config", () => {
  afterEach(() => resetConfig());

  it("lists every missing variable in one error", () => {
    const schema = z.object({ A_KEY: z.string(), B_KEY: z.string(), C_KEY: z.string().optional() });
    let caught: unknown;
    try {
      parseEnv(schema, { C_KEY: "x" });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toContain("A_KEY");
    expect((caught as Error).message).toContain("B_KEY");
  });

  it("treats empty strings as unset", () => {
    const schema = z.object({ PORT: z.coerce.number().default(3000) });
    expect(parseEnv(schema, { PORT: "" })).toEqual({ PORT: 3000 });
    expect(() => parseEnv(z.object({ X: z.string() }), { X: "  " })).toThrow(/X/);
  });

  it("parses lazily and rejects an invalid port with the variable name", () => {
    const previous = process.env.PORT;
    process.env.PORT = "not-a-port";
    try {
      expect(() => getConfig()).toThrow(/PORT/);
    } finally {
      if (previous === undefined) delete process.env.PORT;
      else process.env.PORT = previous;
    }
  });

  it("reads SWITCHBOARD_ISOLATE_TASK_FILES as a switch and refuses anything else", () => {
    expect(isolateTaskFiles({})).toBe(true);
    for (const off of ["0", "false", "OFF", " no "])
      expect(isolateTaskFiles({ SWITCHBOARD_ISOLATE_TASK_FILES: off })).toBe(false);
    for (const on of ["1", "true", "On", "yes"])
      expect(isolateTaskFiles({ SWITCHBOARD_ISOLATE_TASK_FILES: on })).toBe(true);
    expect(() => isolateTaskFiles({ SWITCHBOARD_ISOLATE_TASK_FILES: "nope" })).toThrow(
      /SWITCHBOARD_ISOLATE_TASK_FILES: must be one of 0\/false\/off\/no or 1\/true\/on\/yes/,
    );
  });
});
