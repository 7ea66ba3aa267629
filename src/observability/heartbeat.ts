import type { ProviderHttpClient } from "../providers/provider-http-client.ts";
import { logger } from "./logger.ts";

/** A heartbeat ping answers within seconds or not at all (the call may only lower `PROVIDER_TIMEOUT_MS`). */
const HEARTBEAT_TIMEOUT_MS = 5_000;

/**
 * Pings a Better Stack heartbeat URL (a dead-man switch): after a successful sweep, or its
 * `/fail` variant after a failed one, so a sweep that stops running, or keeps failing, is
 * noticed. Goes through the provider HTTP client (configured timeout, timed and logged once like
 * every provider call). Never throws.
 */
export async function pingHeartbeat(
  http: ProviderHttpClient,
  url: string | undefined,
  name: string,
  outcome: "ok" | "fail" = "ok",
): Promise<boolean> {
  if (!url) return false;
  const target = outcome === "fail" ? `${url.replace(/\/+$/, "")}/fail` : url;
  try {
    await http.request({
      provider: "better_stack",
      operation: `heartbeat.${outcome}`,
      url: target,
      method: "GET",
      timeoutMs: HEARTBEAT_TIMEOUT_MS,
    });
    return true;
  } catch (err) {
    logger.warn("heartbeat ping failed", { heartbeat: name, outcome, err });
    return false;
  }
}
