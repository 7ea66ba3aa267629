import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { ConflictError } from "../errors.ts";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Exclusive lock file beside a PGlite data directory: two processes on one directory silently
 * lose writes, so the second opener gets a clear error instead. A lock left by a dead process
 * (crash, kill -9) is taken over.
 */
export function acquirePgliteLock(dataDir: string): () => void {
  const path = `${dataDir}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number(readFileSync(path, "utf8").trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new ConflictError(
          `The local database ${dataDir} is in use by process ${holder}. Stop it, or set DATABASE_URL to a ` +
            "PostgreSQL server to run several processes side by side.",
          { context: { dataDir, holder } },
        );
      }
      if (holder === process.pid) {
        throw new ConflictError(`The local database ${dataDir} is already open in this process`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new ConflictError(`Could not lock the local database ${dataDir}`);
}
