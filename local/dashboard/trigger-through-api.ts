import { handleTriggerApi } from "../trigger-api.ts";
import type { DashboardDeps } from "./dashboard-deps.ts";

/**
 * Starts a run with the very request the SDK's `tasks.trigger` sends (a serialized packet plus
 * options), handled by the runtime's trigger API: the same validation, limits and idempotency.
 */
export async function triggerThroughApi(
  deps: DashboardDeps,
  origin: string,
  taskId: string,
  packet: { data?: unknown; dataType: string },
  options: Record<string, unknown>,
): Promise<{ runId: string } | { error: string }> {
  const request = new Request(`${origin}/api/v1/tasks/${encodeURIComponent(taskId)}/trigger`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ payload: packet.data, options: { ...options, payloadType: packet.dataType } }),
  });
  const response = await handleTriggerApi(request, deps);
  const body = (await response?.json().catch(() => ({}))) as { id?: string; error?: string };
  if (response?.status === 200 && body.id) return { runId: body.id };
  return { error: body.error ?? `The trigger was refused (HTTP ${response?.status ?? 500})` };
}
