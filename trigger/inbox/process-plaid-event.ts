import { defineInboxTask } from "./define-inbox-task.ts";

/** Processes one stored Plaid webhook event (`inbox-process-plaid-event`). */
export const inboxProcessPlaidEventTask = defineInboxTask("plaid");
