import { schemaTask } from "@trigger.dev/sdk";
import { capabilityRegistry } from "../../src/capabilities/registry.ts";
import { getDeps } from "../../src/deps.ts";
import { INBOX_RETRY, inboxEventPayload } from "../../src/inbox/inbox-task-payload.ts";
import { processWebhookEvent } from "../../src/inbox/process-webhook-event.ts";
import { inboxTaskId } from "../../src/ingress/inbound-providers.ts";

/**
 * The processing task of one provider's stored webhook events: routes each event through the
 * static capability registry (the same in every process, whichever task files it loaded).
 * Called at the top level of each provider's task file, so the task registers under that file.
 */
export function defineInboxTask(provider: string) {
  return schemaTask({
    id: inboxTaskId(provider),
    schema: inboxEventPayload,
    queue: { name: `inbox-${provider}`, concurrencyLimit: 20 },
    retry: INBOX_RETRY,
    run: async ({ eventId, replay }) =>
      processWebhookEvent(await getDeps(), capabilityRegistry, eventId, { replay: Boolean(replay) }),
  });
}
