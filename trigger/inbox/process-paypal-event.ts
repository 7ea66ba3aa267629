import { defineInboxTask } from "./define-inbox-task.ts";

/** Processes one stored PayPal webhook event (`inbox-process-paypal-event`). */
export const inboxProcessPayPalEventTask = defineInboxTask("paypal");
