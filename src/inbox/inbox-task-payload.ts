import { z } from "zod";

/** Payload of every inbox processing task: the stored event's id, never the provider's object. */
export const inboxEventPayload = z.object({ eventId: z.uuid(), replay: z.boolean().optional() });

/** Processing retries: a capability's transient failure is retried; the event stays stored meanwhile. */
export const INBOX_RETRY = {
  maxAttempts: 5,
  minTimeoutInMs: 1_000,
  maxTimeoutInMs: 120_000,
  factor: 3,
  randomize: true,
};
