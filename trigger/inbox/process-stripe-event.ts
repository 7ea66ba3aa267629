import { defineInboxTask } from "./define-inbox-task.ts";

/** Processes one stored Stripe webhook event (`inbox-process-stripe-event`). */
export const inboxProcessStripeEventTask = defineInboxTask("stripe");
