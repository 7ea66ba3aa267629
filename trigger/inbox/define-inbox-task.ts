import { schemaTask } from "@trigger.dev/sdk";
import { getDeps } from "../../src/deps.ts";
import { type InboxProvider, inboxTaskId } from "../../src/inbox/inbox-task-ids.ts";
import { INBOX_RETRY, inboxEventPayload } from "../../src/inbox/inbox-task-payload.ts";
import { processWebhookEvent } from "../../src/inbox/process-webhook-event.ts";

/**
 * The processing task of one provider's stored webhook events: routes each event to the
 * capability that owns it. Called at the top level of each provider's task file, so the task
 * registers under that file.
 */
export function defineInboxTask(provider: InboxProvider) {
  return schemaTask({
    id: inboxTaskId(provider),
    schema: inboxEventPayload,
    queue: { name: `inbox-${provider}`, concurrencyLimit: 20 },
    retry: INBOX_RETRY,
    run: async ({ eventId, replay }) =>
      processWebhookEvent((await getDeps()).db, eventId, { replay: Boolean(replay) }),
  });
}
