import { logger } from "./logger.ts";
import { timeProviderCall } from "./time-provider-call.ts";

/**
 * Pings a Better Stack heartbeat URL (a dead-man switch): after a successful sweep, or its
 * `/fail` variant after a failed one, so a sweep that stops running, or keeps failing, is
 * noticed. Timed and logged like every provider call. Never throws.
 */
export async function pingHeartbeat(
  url: string | undefined,
  name: string,
  outcome: "ok" | "fail" = "ok",
): Promise<boolean> {
  if (!url) return false;
  const target = outcome === "fail" ? `${url.replace(/\/+$/, "")}/fail` : url;
  try {
    return await timeProviderCall(
      { provider: "better_stack", operation: `heartbeat.${outcome}` },
      async () => {
        const response = await fetch(target, { method: "GET", signal: AbortSignal.timeout(5_000) });
        await response.body?.cancel();
        if (!response.ok)
          throw Object.assign(new Error(`HTTP ${response.status}`), { status: response.status });
        return { value: true, status: response.status };
      },
    );
  } catch (err) {
    logger.warn("heartbeat ping failed", { heartbeat: name, outcome, err });
    return false;
  }
}
