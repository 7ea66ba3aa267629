import type { Command } from "commander";
import { listWebhookEvents } from "../../src/inbox/list-webhook-events.ts";
import { processWebhookEvent } from "../../src/inbox/process-webhook-event.ts";
import { emit, table } from "./output.ts";
import { withDb } from "./with-db.ts";

export function registerWebhooksCommand(program: Command): void {
  const webhooks = program.command("webhooks").description("stored inbound webhook events");
  webhooks
    .command("list")
    .option("--provider <provider>", "stripe | plaid | lob | retell | paypal")
    .option("--status <status>", "received | processing | processed | unrouted | failed | malformed")
    .option("--limit <n>", "at most this many", "100")
    .option("--json", "print JSON")
    .action(async (opts: { provider?: string; status?: string; limit: string; json?: boolean }) => {
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
      const result = await withDb((h) => processWebhookEvent(h.db, eventId, { replay: true }));
      emit(
        opts.json,
        result,
        () => `${eventId}: ${result.status}${result.reason ? ` (${result.reason})` : ""}`,
      );
      if (result.status === "failed") process.exitCode = 1;
    });
}
