import { sha256Hex } from "../crypto/hmac.ts";
import { AppError, UnavailableError } from "../errors.ts";
import type { BatchJobItem, JobHandle, JobQueue, TriggerJobOptions } from "../jobs.ts";

/**
 * A fetch-only Trigger.dev client for web handlers. `@trigger.dev/sdk` 4.8 pulls Node built-ins
 * into edge bundles, so handlers speak the trigger endpoint directly (the wire contract the SDK
 * uses: `POST /api/v1/tasks/{id}/trigger`, bearer secret key, JSON payload packet). Idempotency
 * keys are hashed as the SDK's global scope does (SHA-256 of the key), so a key triggered here and
 * one created with `idempotencyKeys.create(key, { scope: "global" })` are the same key.
 * Requests are retried at most twice on 5xx and network errors: handlers must answer quickly.
 */
export function createTriggerHttpJobQueue(config: {
  apiUrl?: string | undefined;
  secretKey: string;
}): JobQueue {
  const base = (config.apiUrl ?? "https://api.trigger.dev").replace(/\/+$/, "");
  async function send(taskId: string, payload: unknown, options: TriggerJobOptions = {}): Promise<JobHandle> {
    const body = JSON.stringify({
      payload: JSON.stringify(payload),
      options: {
        payloadType: "application/json",
        ...(options.idempotencyKey
          ? {
              idempotencyKey: await sha256Hex(options.idempotencyKey),
              idempotencyKeyOptions: { key: options.idempotencyKey, scope: "global" },
            }
          : {}),
        ...(options.idempotencyKeyTTL ? { idempotencyKeyTTL: options.idempotencyKeyTTL } : {}),
        ...(options.concurrencyKey ? { concurrencyKey: options.concurrencyKey } : {}),
        ...(options.tags ? { tags: options.tags } : {}),
        ...(options.queue ? { queue: { name: options.queue } } : {}),
        ...(options.delay ? { delay: options.delay } : {}),
      },
    });
    let lastError: unknown;
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const response = await fetch(`${base}/api/v1/tasks/${encodeURIComponent(taskId)}/trigger`, {
          method: "POST",
          headers: { authorization: `Bearer ${config.secretKey}`, "content-type": "application/json" },
          body,
          signal: AbortSignal.timeout(3_000),
        });
        if (response.ok) {
          const handle = (await response.json()) as { id: string; isCached?: boolean };
          return { id: handle.id, isCached: Boolean(handle.isCached) };
        }
        const text = (await response.text()).slice(0, 300);
        if (response.status < 500 && response.status !== 429) {
          throw new AppError(
            "trigger_rejected",
            `Trigger.dev rejected ${taskId} (${response.status}): ${text}`,
            {
              retryable: false,
            },
          );
        }
        lastError = new UnavailableError(`Trigger.dev answered ${response.status} for ${taskId}`);
      } catch (err) {
        if (err instanceof AppError && !err.retryable) throw err;
        lastError = err;
      }
      if (attempt < 3) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt * (1 + Math.random())));
    }
    throw new UnavailableError(`Could not trigger ${taskId}`, { cause: lastError });
  }
  return {
    trigger: send,
    /** One trigger per item, at most 10 in flight (handlers rarely fan out; tasks use the SDK's batches). */
    async batchTrigger<P>(taskId: string, items: BatchJobItem<P>[]) {
      const handles: JobHandle[] = [];
      for (let start = 0; start < items.length; start += 10) {
        const chunk = items.slice(start, start + 10);
        handles.push(...(await Promise.all(chunk.map((item) => send(taskId, item.payload, item.options)))));
      }
      return { batchId: handles[0]?.id ?? "", runCount: handles.length };
    },
  };
}
