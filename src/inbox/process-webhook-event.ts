import { sql } from "drizzle-orm";
import type { WebhookEventStatus } from "../../db/schema.ts";
import type { Deps } from "../build-deps.ts";
import type { CapabilityRegistry } from "../capabilities/create-capability-registry.ts";
import { rowsOf } from "../db/types.ts";
import { describeError, NotFoundError } from "../errors.ts";
import { claimWebhookEvent } from "./claim-webhook-event.ts";
import { EventBusyError } from "./event-busy-error.ts";

export interface ProcessResult {
  eventId: string;
  status: WebhookEventStatus;
  capability: string | null;
  reason?: string;
  /** The handler's own summary. */
  outcome?: unknown;
}

/**
 * Processes one stored event: claims it (exclusively, with a lease), hands it to the capability
 * that handles its (provider, type) with the event id as idempotency key, and records the outcome
 * — only while still holding the lease. No capability → `unrouted` with the reason (visible,
 * replayable). An event another worker holds → EventBusyError (retried after the lease). Already
 * processed events are left alone unless `replay`. A failing handler marks the event `failed`
 * and the error is rethrown, so the task retries it.
 */
export async function processWebhookEvent(
  deps: Deps,
  registry: CapabilityRegistry,
  eventId: string,
  options: { replay?: boolean; leaseMs?: number } = {},
): Promise<ProcessResult> {
  const owner = crypto.randomUUID();
  const claim = await claimWebhookEvent(deps.db, eventId, owner, options);
  if (!claim) throw new NotFoundError(`No webhook event ${eventId}`);
  if (!claim.claimed) {
    if (claim.status === "processing") throw new EventBusyError(eventId, claim.leaseMsLeft);
    return { eventId, status: claim.status, capability: null };
  }
  const { event } = claim;
  const capability = registry.handlerFor(event.provider, event.type);
  const finish = async (status: WebhookEventStatus, message: string | null) => {
    // A text column refuses NUL, which an error can echo from a payload kept as raw bytes.
    const error = message?.replaceAll("\0", "\ufffd") ?? null;
    const done = rowsOf<{ id: string }>(
      await deps.db.execute(sql`update webhook_events set status = ${status}, capability = ${capability?.name ?? null},
          error = ${error}, processed_at = now(), lease_owner = null, lease_until = null
        where id = ${eventId} and lease_owner = ${owner} returning id`),
    );
    if (done.length === 0) {
      deps.logger.warn("lost the lease of a webhook event before recording its outcome", {
        eventId,
        status,
      });
    }
  };
  if (!capability) {
    const reason = `No capability handles ${event.provider} ${event.type} yet; replay this event once one does`;
    await finish("unrouted", reason);
    return { eventId, status: "unrouted", capability: null, reason };
  }
  let outcome: unknown;
  try {
    outcome = await capability.handle(event, deps, { idempotencyKey: event.id });
  } catch (err) {
    await finish("failed", describeError(err).message);
    throw err;
  }
  await finish("processed", null);
  return { eventId, status: "processed", capability: capability.name, outcome };
}
