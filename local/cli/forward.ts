import type { RuntimeRecord } from "../runtime-file.ts";

export interface ForwardedResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export const CLI_ENDPOINT = "/_local/cli";

/**
 * Sends one CLI invocation to the running `npm start` that owns the database (its token proves the
 * caller can read DATA_DIR), and returns what the command printed there. Undefined when the
 * runtime does not answer (it stopped since writing its record): the caller then runs locally.
 */
export async function forwardToRuntime(
  record: RuntimeRecord,
  args: string[],
): Promise<ForwardedResult | undefined> {
  let response: Response;
  try {
    response = await fetch(`${record.url}${CLI_ENDPOINT}`, {
      method: "POST",
      headers: { authorization: `Bearer ${record.token}`, "content-type": "application/json" },
      body: JSON.stringify({ args }),
    });
  } catch {
    return undefined;
  }
  if (!response.ok) {
    const body = await response.text();
    return {
      stdout: "",
      stderr: `error: the running runtime refused the command (HTTP ${response.status}): ${body}\n`,
      exitCode: 1,
    };
  }
  return (await response.json()) as ForwardedResult;
}
