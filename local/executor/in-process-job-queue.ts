import { sha256Hex } from "../../src/crypto/hmac.ts";
import type { JobQueue, TriggerJobOptions } from "../../src/jobs.ts";
import { parseTriggerOptions, toNewRun } from "../api/trigger-options.ts";
import type { Executor } from "./executor.ts";
import type { TaskCatalog } from "./task-catalog.ts";

/** Our options in the SDK's wire shape, so in-process triggers are validated like HTTP ones. */
async function wireOptions(options: TriggerJobOptions = {}) {
  return parseTriggerOptions({
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
  });
}

/**
 * The local runtime's queue for its own webhook doors: a trigger is one insert into the run
 * store (same validation, idempotency and limits as the trigger API), with no HTTP round trip to
 * the runtime itself. The executor is woken on a later turn of the event loop, so the request
 * that triggered is answered before any run starts: a stored run is the acknowledgement.
 */
export function createInProcessJobQueue(executor: Executor, catalog: TaskCatalog): JobQueue {
  return {
    async trigger(taskId, payload, options) {
      const run = await toNewRun(taskId, JSON.stringify(payload), await wireOptions(options), catalog);
      const handle = await executor.store.create(run);
      executor.wakeSoon();
      return handle;
    },
    async batchTrigger(taskId, items) {
      const runs = await Promise.all(
        items.map(async (item) =>
          toNewRun(taskId, JSON.stringify(item.payload), await wireOptions(item.options), catalog),
        ),
      );
      const created = await executor.store.createMany(runs);
      executor.wakeSoon();
      return { batchId: `local_${crypto.randomUUID()}`, runCount: created.length };
    },
  };
}
