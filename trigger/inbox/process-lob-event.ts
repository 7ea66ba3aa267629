import { defineInboxTask } from "./define-inbox-task.ts";

/** Processes one stored Lob webhook event (`inbox-process-lob-event`). */
export const inboxProcessLobEventTask = defineInboxTask("lob");
