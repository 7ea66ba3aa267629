import { logger } from "./logger.ts";

/** Pings a Better Stack heartbeat URL after a successful sweep (a dead-man switch). Never throws. */
export async function pingHeartbeat(url: string | undefined, name: string): Promise<boolean> {
  if (!url) return false;
  try {
    const response = await fetch(url, { method: "GET", signal: AbortSignal.timeout(5_000) });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return true;
  } catch (err) {
    logger.warn("heartbeat ping failed", { heartbeat: name, err });
    return false;
  }
}
