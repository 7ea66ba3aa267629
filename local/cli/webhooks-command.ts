import type { Command } from "commander";
import { inboundProviderIds } from "../../src/ingress/inbound-providers.ts";
import { choiceOption, requireId } from "./ids.ts";
import { emit, fail, table } from "./output.ts";
import { withDb } from "./with-db.ts";

const PROVIDERS = inboundProviderIds();
const STATUSES = ["received", "processing", "processed", "unrouted", "failed", "malformed"] as const;

export function registerWebhooksCommand(program: Command): void {
  const webhooks = program.command("webhooks").description("stored inbound webhook events");
  webhooks
    .command("list")
    .addOption(choiceOption("--provider <provider>", "only this provider's events", PROVIDERS))
    .addOption(choiceOption("--status <status>", "only events in this status", STATUSES))
    .option("--limit <n>", "at most this many", "100")
    .option("--json", "print JSON")
    .action(async (opts: { provider?: string; status?: string; limit: string; json?: boolean }) => {
      const { listWebhookEvents } = await import("../../src/inbox/list-webhook-events.ts");
      const rows = await withDb((h) =>
        listWebhookEvents(h.db, {
          provider: opts.provider,
          status: opts.status,
          limit: Number(opts.limit) || 100,
        }),
      );
      emit(opts.json, rows, () => table(rows, ["id", "provider", "type", "status", "receivedAt", "error"]));
    });
  webhooks
    .command("replay <eventId>")
    .description("run processing again for one stored event (even one already processed)")
    .option("--json", "print JSON")
    .action(async (eventId: string, opts: { json?: boolean }) => {
      requireId(eventId, "webhook event", "switchboard webhooks list");
      const { processWebhookEvent } = await import("../../src/inbox/process-webhook-event.ts");
      const { capabilityRegistry } = await import("../../src/capabilities/registry.ts");
      const { localDeps } = await import("../local-deps.ts");
      // The same exclusive claim as the inbox task: never handled twice at once.
      const result = await withDb(async (h) =>
        processWebhookEvent((await localDeps(h.db)).deps, capabilityRegistry, eventId, { replay: true }),
      );
      emit(
        opts.json,
        result,
        () => `${eventId}: ${result.status}${result.reason ? ` (${result.reason})` : ""}`,
      );
      if (result.status === "failed") fail();
    });
}
