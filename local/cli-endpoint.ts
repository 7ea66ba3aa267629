import { timingSafeEqual } from "node:crypto";
import { CLI_ENDPOINT } from "./cli/forward.ts";
import { runCliCommand } from "./cli/run-cli.ts";
import type { Runtime } from "./runtime.ts";

function sameToken(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/**
 * `POST /_local/cli` runs a CLI invocation inside the runtime, on its open database and executor,
 * so the CLI works beside `npm start` on PGlite (docs/decisions/016-cli-runs-inside-the-runtime.md).
 * Only callers holding the per-start token of DATA_DIR/runtime.json get in.
 */
export async function handleCliRequest(
  request: Request,
  runtime: () => Runtime,
  token: string,
): Promise<Response | undefined> {
  if (new URL(request.url).pathname !== CLI_ENDPOINT) return undefined;
  if (request.method !== "POST") return json(405, { error: "use POST" });
  const presented = request.headers.get("authorization")?.replace(/^Bearer\s+/i, "") ?? "";
  if (!sameToken(presented, token)) return json(401, { error: "a valid runtime token is required" });
  const body = (await request.json().catch(() => null)) as { args?: unknown } | null;
  const args = body?.args;
  if (!Array.isArray(args) || !args.every((a) => typeof a === "string")) {
    return json(400, { error: 'the body must be {"args": [string, ...]}' });
  }
  const out: string[] = [];
  const err: string[] = [];
  const live = runtime();
  const io = {
    stdout: (text: string) => void out.push(text),
    stderr: (text: string) => void err.push(text),
    exitCode: 0,
    handle: live.db,
    runtime: live,
  };
  const exitCode = await runCliCommand(args, io);
  return json(200, { stdout: out.join(""), stderr: err.join(""), exitCode });
}
