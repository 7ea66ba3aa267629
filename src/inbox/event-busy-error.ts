import { AppError } from "../errors.ts";

/** Another worker holds the event's processing lease: try again once it may have expired. */
export class EventBusyError extends AppError {
  constructor(eventId: string, retryAfterMs: number) {
    super("event_busy", `Webhook event ${eventId} is being processed elsewhere`, {
      retryable: true,
      retryAfterMs: Math.max(1_000, retryAfterMs),
      context: { eventId },
    });
  }
}
