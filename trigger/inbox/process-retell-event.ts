import { defineInboxTask } from "./define-inbox-task.ts";

/** Processes one stored Retell webhook event (`inbox-process-retell-event`). */
export const inboxProcessRetellEventTask = defineInboxTask("retell");
