import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConflictError } from "../errors.ts";
import { acquirePgliteLock } from "./pglite-lock.ts";

describe("PGlite lock file", () => {
  it("gives a second opener a clear error while the first holds the lock", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "sb-lock-")), "pglite");
    const release = acquirePgliteLock(dir);
    writeFileSync(`${dir}.lock`, "1"); // pid 1 is always alive: another process holds it
    expect(() => acquirePgliteLock(dir)).toThrow(ConflictError);
    expect(() => acquirePgliteLock(dir)).toThrow(/in use by process 1/);
    release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it("takes over a lock left by a process that died", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "sb-lock-")), "pglite");
    writeFileSync(`${dir}.lock`, "999999999");
    const release = acquirePgliteLock(dir);
    expect(existsSync(`${dir}.lock`)).toBe(true);
    release();
  });
});
