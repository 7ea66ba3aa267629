import { schemaTask } from "@trigger.dev/sdk";
import { getDeps } from "../../src/deps.ts";
import { INBOX_RETRY, inboxEventPayload } from "../../src/inbox/inbox-task-payload.ts";
import { processWebhookEvent } from "../../src/inbox/process-webhook-event.ts";

/** Processes one stored Stripe webhook event: routes it to the capability that owns it. */
export const inboxProcessStripeEventTask = schemaTask({
  id: "inbox-process-stripe-event",
  schema: inboxEventPayload,
  queue: { name: "inbox-stripe", concurrencyLimit: 20 },
  retry: INBOX_RETRY,
  run: async ({ eventId, replay }) =>
    processWebhookEvent((await getDeps()).db, eventId, { replay: Boolean(replay) }),
});
