import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Reads `DATA_DIR/<file>`, creating it with `make()` on first use (mode 0600). Local runtime only:
 * the stand-in for secrets a deployment must configure. Node only.
 */
export function readOrCreateDevSecret(dataDir: string, file: string, make: () => string): string {
  const path = join(dataDir, file);
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const value = make();
    try {
      writeFileSync(path, `${value}\n`, { mode: 0o600, flag: "wx" });
      return value;
    } catch {
      // Another process created it first: use theirs.
      return readFileSync(path, "utf8").trim();
    }
  }
}
